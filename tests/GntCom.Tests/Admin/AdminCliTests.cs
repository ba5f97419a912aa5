using System;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Admin;

/// <summary>gnt-com, the admin command, and the common command-line behaviour of every executable.</summary>
public sealed class AdminCliTests
{
    [Theory]
    [InlineData("gnt-com-ifup")]
    [InlineData("gnt-com-ifdown")]
    [InlineData("vif-gnt-com")]
    [InlineData("gnt-com")]
    public void Every_executable_answers_help_and_version_on_stdout(string exe)
    {
        var help = Proc.Run(Repo.Bin(exe), "--help");
        Assert.True(help.Code == 0, help.ToString());
        Assert.Contains(exe == "gnt-com" ? "allocate" : "usage: " + exe, help.Out);
        Assert.Equal("", help.Err);

        var version = Proc.Run(Repo.Bin(exe), "--version");
        Assert.True(version.Code == 0, version.ToString());
        Assert.Matches("^" + exe + " \\d+\\.\\d+\\.\\d+\n$", version.Out);
    }

    [Fact]
    public void Gnt_com_verbs_have_help_and_bad_usage_exits_2()
    {
        var verbHelp = Proc.Run(Repo.Bin("gnt-com"), "allocate", "--help");
        Assert.Equal(0, verbHelp.Code);
        Assert.Contains("--ip", verbHelp.Out);
        Assert.Contains("--mac", verbHelp.Out);

        var unknown = Proc.Run(Repo.Bin("gnt-com"), "frobnicate");
        Assert.Equal(2, unknown.Code);
        Assert.Contains("frobnicate", unknown.Err);

        var missing = Proc.Run(Repo.Bin("gnt-com"), "allocate", "--ip", "169.254.1.2");
        Assert.Equal(2, missing.Code);
        Assert.Contains("mac", missing.Err);
    }

    [HostFact]
    public void Allocate_reserves_the_lowest_free_name_and_release_drops_it()
    {
        using var h = new Host();
        h.AddTap("gnt.com.0");
        Assert.Equal("gnt.com.1\n", h.Admin("allocate", "--ip", "169.254.4.1", "--mac", "52:54:00:04:00:01", "--instance", "a").Out);
        Assert.Equal("gnt.com.2\n", h.Admin("allocate", "--ip", "169.254.4.2", "--mac", "52:54:00:04:00:02").Out);
        // Asking again for the same guest gives the same name.
        Assert.Equal("gnt.com.1\n", h.Admin("allocate", "--ip", "169.254.4.1", "--mac", "52:54:00:04:00:01").Out);

        var clash = h.Admin("allocate", "--ip", "169.254.4.1", "--mac", "52:54:00:04:00:09");
        Assert.Equal(1, clash.Code);
        Assert.Equal("gnt-com: error: IP 169.254.4.1 is reserved for gnt.com.1 (instance a)\n", clash.Err);

        var bad = h.Admin("allocate", "--ip", "169.254.4.3\nx", "--mac", "52:54:00:04:00:03");
        Assert.Equal(2, bad.Code);
        Assert.Equal("gnt-com: error: --ip '169.254.4.3\\nx' is not an IPv4 address (a.b.c.d)\n", bad.Err);

        string status = h.Admin("status").Out;
        Assert.Contains("reserved:", status);
        Assert.Matches(@"gnt\.com\.1\s+169\.254\.4\.1\s+52:54:00:04:00:01\s+a", status);

        Assert.Equal(0, h.Admin("release", "gnt.com.1").Code);
        Assert.Equal("gnt.com.1\n", h.Admin("allocate", "--ip", "169.254.4.5", "--mac", "52:54:00:04:00:05").Out);
        var notReserved = h.Admin("release", "gnt.com.7");
        Assert.Equal(0, notReserved.Code);
        Assert.Contains("gnt.com.7 was not reserved", notReserved.Err);
        Assert.Equal(2, h.Admin("release", "eth0").Code);
    }

    [HostFact]
    public void Status_lists_channels_with_their_live_state()
    {
        using var h = new Host();
        h.AddTap("tap0");
        h.AddTap("tap1");
        Assert.Equal(0, h.Ifup("tap0", "169.254.5.1", "52:54:00:05:00:01", ("INSTANCE", "web1")).Code);
        Assert.Equal(0, h.Ifup("tap1", "169.254.5.2", "52:54:00:05:00:02").Code);
        h.Ns.Ip("link", "del", "gnt.com.1");

        string status = h.Admin("status").Out;
        Assert.Contains("state:  " + h.StateRoot, status);
        Assert.Matches(@"CHANNEL\s+ORIGINAL\s+IP\s+MAC\s+INSTANCE\s+KIND\s+STATE", status);
        Assert.Matches(@"gnt\.com\.0\s+tap0\s+169\.254\.5\.1\s+52:54:00:05:00:01\s+web1\s+tap\s+no-carrier", status);
        Assert.Matches(@"gnt\.com\.1\s+tap1\s+169\.254\.5\.2\s+52:54:00:05:00:02\s+-\s+tap\s+vanished", status);
        Assert.Contains("dhcp:   off", status);
        // status only looks: the vanished one is still recorded.
        Assert.Equal(2, h.Records().Length);
    }

    [HostFact]
    public void Check_finds_what_was_changed_behind_gntcoms_back_and_repair_puts_it_back()
    {
        using var h = new Host();
        h.AddTap("tap0");
        h.AddTap("tap1");
        Assert.Equal(0, h.Ifup("tap0", "169.254.6.1", "52:54:00:06:00:01").Code);
        Assert.Equal(0, h.Ifup("tap1", "169.254.6.2", "52:54:00:06:00:02").Code);
        var clean = h.Admin("check");
        Assert.True(clean.Code == 0, clean.ToString());
        Assert.Equal("ok: 2 channel interface(s), all as recorded\n", clean.Out);

        h.Ns.Ip("route", "del", "169.254.6.1/32", "dev", "gnt.com.0");
        h.Ns.Ip("addr", "del", "169.254.169.254/32", "dev", "gnt.com.1");
        h.Ns.Sh("echo 0 > /proc/sys/net/ipv4/conf/gnt.com.1/rp_filter");
        h.Ns.Sh("echo 0 > /proc/sys/net/ipv6/conf/gnt.com.0/disable_ipv6");
        h.Ns.Ip("rule", "del", "pref", "16922");
        h.Ns.Ip("tuntap", "add", "dev", "gnt.com.7", "mode", "tap");
        h.Ns.Ip("link", "set", "gnt.com.7", "up");
        // Down, unaddressed and unrouted, a channel-named interface carries nothing a guest
        // could use (a tap Ganeti opened before its ifup runs): not a problem.
        h.Ns.Ip("tuntap", "add", "dev", "gnt.com.8", "mode", "tap");

        var check = h.Admin("check");
        Assert.Equal(1, check.Code);
        Assert.Equal(new[]
        {
            "gnt.com.0: no route 169.254.6.1/32 via it",
            "gnt.com.0: ipv6 disable_ipv6 is 0, not 1",
            "gnt.com.1: lacks address 169.254.169.254/32",
            "gnt.com.1: no route 169.254.6.2/32 via it",
            "gnt.com.1: ipv4 rp_filter is 0, not 1",
            "isolation: rule 'pref 16922 to 169.254.0.0/16 prohibit' is missing ('gnt-com repair' puts it back)",
            "gnt.com.7: a channel-named interface GntCom has no record of (set it up with gnt-com-ifup; on a Ganeti node, 'gnt-com ganeti enable')",
        }, check.Out.TrimEnd('\n').Split('\n'));

        var repair = h.Admin("repair");
        Assert.Equal(1, repair.Code); // gnt.com.7 is not GntCom's to fix
        Assert.Contains("fixed: gnt.com.0: no route 169.254.6.1/32 via it", repair.Out);
        Assert.Contains("fixed: gnt.com.1: ipv4 rp_filter is 0, not 1", repair.Out);
        Assert.Contains("fixed: isolation: rule 'pref 16922 to 169.254.0.0/16 prohibit' is missing", repair.Out);
        Assert.Contains("still wrong: gnt.com.7", repair.Err);
        Assert.Contains("169.254.6.1 dev gnt.com.0", string.Join('\n', h.Ns.Routes()));
        Assert.Equal("1", h.Ns.Sysctl("net/ipv4/conf/gnt.com.1/rp_filter"));
        Assert.Equal("1", h.Ns.Sysctl("net/ipv6/conf/gnt.com.0/disable_ipv6"));
        Assert.Contains("16922:\tfrom all to 169.254.0.0/16 prohibit", h.Ns.Ip("rule"));

        h.Ns.Ip("link", "set", "gnt.com.7", "down");
        Assert.Equal(0, h.Admin("check").Code);
    }

    [HostFact]
    public void Channels_set_up_before_the_network_setting_changed_can_still_be_taken_down()
    {
        using var h = new Host();
        h.AddTap("tap0");
        Assert.Equal(0, h.Ifup("tap0", "169.254.7.1", "52:54:00:07:00:01").Code);
        Assert.Equal(0, h.Admin("allocate", "--ip", "169.254.7.2", "--mac", "52:54:00:07:00:02").Code);
        h.Sandbox.WriteConfig("dhcp = off\nnetwork = 10.77.0.0/16\n");

        var down = h.Ifdown("gnt.com.0");
        Assert.True(down.Code == 0, down.ToString());
        Assert.Empty(h.Records());
        Assert.DoesNotContain(h.Ns.Routes(), r => r.StartsWith("169.254.7.1"));
        Assert.DoesNotContain("169.254.169.254", h.AddrShow("tap0"));
        var release = h.Admin("release", "gnt.com.1");
        Assert.True(release.Code == 0 && !release.Err.Contains("error"), release.ToString());
        Assert.Contains("released gnt.com.1", release.Err);
        Assert.DoesNotContain("1692", h.Ns.Ip("rule")); // the old network's rules went with the last channel
        var check = h.Admin("check");
        Assert.True(check.Code == 0, check.ToString());
    }
}
