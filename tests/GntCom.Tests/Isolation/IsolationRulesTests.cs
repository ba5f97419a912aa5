using System;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Isolation;

/// <summary>
/// The isolation's cost does not grow with the number of guests: one set of four shared
/// rules, the same for one guest or many, gone with the last; and a host that still
/// carries GntCom's old per-interface rules is migrated by the next call.
/// </summary>
public sealed class IsolationRulesTests
{
    private static string[] OurRules(NetNs ns, string family = "-4") =>
        ns.Ip(family, "rule").Split('\n').Where(l => l.StartsWith("169") || l.StartsWith("1692")).ToArray();

    [HostFact]
    public void One_guest_or_six_the_host_carries_the_same_four_rules()
    {
        using var h = new Host();
        for (int i = 0; i < 6; i++) h.AddTap("tap" + i);
        Assert.Empty(OurRules(h.Ns));

        Assert.Equal(0, h.Ifup("tap0", "169.254.40.1", "52:54:00:40:00:01").Code);
        string[] one = OurRules(h.Ns);
        Assert.Equal(4, one.Length);
        for (int i = 1; i < 6; i++)
            Assert.Equal(0, h.Ifup("tap" + i, "169.254.40." + (i + 1), "52:54:00:40:00:0" + (i + 1)).Code);
        Assert.Equal(one, OurRules(h.Ns));
        // Nothing per interface for IPv6 either: IPv6 is off on channel interfaces.
        Assert.Empty(OurRules(h.Ns, "-6"));
        Assert.All(Enumerable.Range(0, 6), i => Assert.Equal("1", h.Ns.Sysctl("net/ipv6/conf/gnt.com." + i + "/disable_ipv6")));

        for (int i = 0; i < 5; i++) Assert.Equal(0, h.Ifdown("gnt.com." + i).Code);
        Assert.Equal(one, OurRules(h.Ns));
        Assert.Equal(0, h.Ifdown("gnt.com.5").Code);
        Assert.Empty(OurRules(h.Ns));
    }

    [HostFact]
    public void A_host_with_the_old_per_channel_rules_is_migrated_by_the_next_call()
    {
        using var h = new Host();
        // What GntCom before 0.2 left: a configured gnt.com.0, its record (no layout file, no
        // claims), a rule per interface (IPv4 and IPv6) and the unreachable table.
        h.AddTap("gnt.com.0");
        h.Ns.Ip("link", "set", "gnt.com.0", "up");
        h.Ns.Ip("addr", "add", "169.254.169.254/32", "dev", "gnt.com.0");
        h.Ns.Ip("route", "add", "169.254.41.1/32", "dev", "gnt.com.0", "proto", "static", "scope", "link");
        int index = int.Parse(h.Ns.Must("cat", "/sys/class/net/gnt.com.0/ifindex").Trim());
        foreach (string v in new[] { "-4", "-6" })
        {
            h.Ns.Ip(v, "rule", "add", "pref", "16925", "iif", "gnt.com.0", "lookup", "16925");
            h.Ns.Ip(v, "route", "add", "unreachable", "default", "table", "16925");
        }
        string ifaces = Path.Combine(h.StateRoot, "ifaces");
        Directory.CreateDirectory(ifaces);
        File.WriteAllText(Path.Combine(ifaces, "gnt.com.0"),
            "name=gnt.com.0\noriginal=tap9\nifindex=" + index + "\nip=169.254.41.1\nmac=52:54:00:41:00:01\nkind=tap\nowner=1\nstate=up\n");
        Assert.Contains("per-channel rule", h.Admin("check").Out);

        // The next call, whatever it is for, migrates.
        h.AddTap("tap1");
        var up = h.Ifup("tap1", "169.254.41.2", "52:54:00:41:00:02");
        Assert.True(up.Code == 0, up.ToString());
        Assert.Contains("removed 4 per-channel isolation rule(s) and route(s) of GntCom before 0.2", up.Err);
        Assert.DoesNotContain("16925", h.Ns.Ip("-4", "rule") + h.Ns.Ip("-6", "rule"));
        Assert.Empty(h.Ns.Routes("16925"));
        Assert.Equal(4, OurRules(h.Ns).Length);
        // The old channel got the new hardening too (IPv6 off: no per-interface rule guards it now).
        Assert.Equal("1", h.Ns.Sysctl("net/ipv6/conf/gnt.com.0/disable_ipv6"));
        // The old channel is now known the new way: its IP and MAC are taken.
        h.AddTap("tap2");
        var again = h.Ifup("tap2", "169.254.41.1", "52:54:00:41:00:03");
        Assert.Equal(1, again.Code);
        Assert.Contains("IP 169.254.41.1 is already the guest IP of gnt.com.0", again.Err);
        var check = h.Admin("check");
        Assert.True(check.Code == 0, check.ToString());
    }
}
