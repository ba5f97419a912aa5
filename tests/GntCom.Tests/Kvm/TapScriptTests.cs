using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Kvm;

/// <summary>gnt-com-ifup / gnt-com-ifdown as qemu and Ganeti call them, on real taps in a namespace.</summary>
public sealed class TapScriptTests
{
    private const string Ip = "169.254.1.2";
    private const string Mac = "52:54:00:12:34:56";

    [HostFact]
    public void Ifup_makes_tap_a_channel_interface_and_ifdown_removes_it_twice()
    {
        using var h = new Host();
        h.AddTap("tap0");

        var up = h.Ifup("tap0", Ip, Mac);
        Assert.True(up.Code == 0, up.ToString());

        Assert.False(h.Ns.LinkExists("tap0"));
        string addr = h.AddrShow("gnt.com.0");
        Assert.Contains("inet 169.254.169.254/32", addr);
        Assert.Contains("UP", h.Ns.Ip("link", "show", "dev", "gnt.com.0"));
        Assert.Contains("169.254.1.2 dev gnt.com.0 proto static scope link", string.Join('\n', h.Ns.Routes()));
        Assert.Equal("1", h.Ns.Sysctl("net/ipv4/conf/gnt.com.0/rp_filter"));
        Assert.Equal("1", h.Ns.Sysctl("net/ipv6/conf/gnt.com.0/disable_ipv6"));
        Assert.Contains("tx-checksumming: off", h.Ns.Must("ethtool", "-k", "gnt.com.0"));
        // The isolation: four rules shared by every channel, none per interface.
        Assert.Equal(new[]
        {
            "16920:\tfrom all iif lo goto 16923",
            "16921:\tfrom 169.254.0.0/16 prohibit",
            "16922:\tfrom all to 169.254.0.0/16 prohibit",
            "16923:\tfrom all nop",
        }, h.Ns.Ip("rule").Split('\n').Where(l => l.StartsWith("1692")).ToArray());
        Assert.Equal(new[] { "gnt.com.0" }, h.Records());
        Assert.Contains("original=tap0", h.Record("gnt.com.0"));
        Assert.Contains("up gnt.com.0 (was tap0) ip=169.254.1.2 mac=52:54:00:12:34:56", up.Err);

        // qemu's downscript gets the name the tap had when qemu opened it.
        var down = h.Ifdown("tap0");
        Assert.True(down.Code == 0, down.ToString());
        Assert.DoesNotContain(h.Ns.Routes(), r => r.StartsWith("169.254.1.2"));
        // The tap is as qemu made it: its own name again (it was free), down, unaddressed.
        Assert.False(h.Ns.LinkExists("gnt.com.0"));
        Assert.DoesNotContain("169.254.169.254", h.AddrShow("tap0"));
        Assert.DoesNotMatch(@"<[^>]*\bUP\b[^>]*>", h.Ns.Ip("-o", "link", "show", "dev", "tap0"));
        Assert.DoesNotContain("1692", h.Ns.Ip("rule")); // the last channel took the shared rules with it
        Assert.Empty(h.Records());
        var check = h.Admin("check");
        Assert.True(check.Code == 0, check.ToString());

        var again = h.Ifdown("tap0");
        Assert.True(again.Code == 0, again.ToString());
        Assert.Contains("nothing to do", again.Err);
    }

    [HostFact]
    public void Ifup_on_a_configured_interface_changes_nothing()
    {
        using var h = new Host();
        h.AddTap("tap0");
        string marker = Path.Combine(h.Sandbox.Dir, "hook-runs");
        h.Sandbox.Hook("ifup.d", "10-count", "echo run >> " + marker);
        Assert.Equal(0, h.Ifup("tap0", Ip, Mac).Code);
        string record = h.Record("gnt.com.0");
        string routes = string.Join('\n', h.Ns.Routes());

        var again = h.Ifup("gnt.com.0", Ip, Mac);
        Assert.True(again.Code == 0, again.ToString());
        Assert.Contains("already up gnt.com.0", again.Err);
        Assert.Equal(record, h.Record("gnt.com.0"));
        Assert.Equal(routes, string.Join('\n', h.Ns.Routes()));
        Assert.Single(File.ReadAllLines(marker));

        // The same interface asked for another guest is a mistake, not a silent change.
        var other = h.Ifup("gnt.com.0", "169.254.1.3", Mac);
        Assert.NotEqual(0, other.Code);
        Assert.Contains("already the channel interface gnt.com.0", other.Err);
    }

    [HostFact]
    public void Ganeti_protocol_configures_with_ACTION_up_and_tears_down_with_ACTION_down()
    {
        using var h = new Host();
        h.AddTap("gnt.com.4");
        var env = new[] { ("INTERFACE", (string?)"gnt.com.4"), ("MODE", "routed"), ("IP", Ip), ("MAC", Mac), ("INSTANCE", "vm1.example.org") };

        var up = h.Run("gnt-com-ifup", Array.Empty<string>(), env.Append(("ACTION", "up")).ToArray());
        Assert.True(up.Code == 0, up.ToString());
        Assert.Contains("169.254.1.2 dev gnt.com.4", string.Join('\n', h.Ns.Routes()));
        Assert.Contains("instance=vm1.example.org", h.Record("gnt.com.4"));

        var down = h.Run("gnt-com-ifup", Array.Empty<string>(), env.Append(("ACTION", "down")).ToArray());
        Assert.True(down.Code == 0, down.ToString());
        Assert.Empty(h.Records());
        Assert.DoesNotContain(h.Ns.Routes(), r => r.Contains("gnt.com.4"));
    }

    [HostFact]
    public void Nics_that_are_not_the_channel_are_left_alone()
    {
        using var h = new Host();
        h.AddTap("tap0");
        h.AddTap("gnt.com.0");

        // qemu or Ganeti with a bridged NIC.
        var bridged = h.Run("gnt-com-ifup", new[] { "gnt.com.0" }, ("MODE", "bridged"), ("IP", Ip), ("MAC", Mac));
        Assert.True(bridged.Code == 0, bridged.ToString());
        // Ganeti's routed NIC that is not the communication NIC.
        var routed = h.Run("gnt-com-ifup", Array.Empty<string>(), ("INTERFACE", "tap0"), ("MODE", "routed"), ("IP", Ip), ("MAC", Mac));
        Assert.True(routed.Code == 0, routed.ToString());

        Assert.Equal("", bridged.Err + routed.Err);
        Assert.Empty(h.Records());
        Assert.DoesNotContain("inet ", h.AddrShow("gnt.com.0") + h.AddrShow("tap0"));
        Assert.Empty(h.Ns.Routes());
    }

    public static TheoryData<string, string?, string?, string?, string> BadInputs => new()
    {
        // interface, IP, MAC, ACTION, text the one-line error must contain
        { "tap0", "169.254.169.254", Mac, null, "'169.254.169.254' is the host's channel address" },
        { "tap0", "10.0.0.5", Mac, null, "'10.0.0.5' is outside the channel network 169.254.0.0/16" },
        { "tap0", "169.254.1.2\ninterface=eth0", Mac, null, "'169.254.1.2\\ninterface=eth0' is not an IPv4 address" },
        { "tap0", "169.254.1.2;reboot", Mac, null, "'169.254.1.2;reboot' is not an IPv4 address" },
        { "tap0", "$(reboot)", Mac, null, "'$(reboot)' is not an IPv4 address" },
        { "tap0", "169.254.01.2", Mac, null, "'169.254.01.2' is not an IPv4 address" },
        { "tap0", "169.254.0.0", Mac, null, "is the network or broadcast address" },
        { "tap0", Ip, "52:54:00:12:34", null, "'52:54:00:12:34' is not a MAC address" },
        { "tap0", Ip, "52:54:00:12:34:zz", null, "'52:54:00:12:34:zz' is not a MAC address" },
        { "tap0", Ip, "01:00:5e:00:00:01", null, "multicast" },
        { "tap0", Ip, Mac + "\n", null, "is not a MAC address" },
        { "tap0", Ip, Mac, "sideways", "ACTION 'sideways' must be up or down" },
        { "nosuchtap", Ip, Mac, null, "interface 'nosuchtap' does not exist" },
        { "tap0123456789abc", Ip, Mac, null, "'tap0123456789abc' is longer than 15 bytes" },
        { "../../etc", Ip, Mac, null, "'../../etc' is not a valid interface name" },
        { "tap0", null, Mac, null, "no IP for 'tap0'" },
        { "tap0", Ip, null, null, "no MAC for 'tap0'" },
    };

    [HostTheory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_is_refused_with_one_line_and_changes_nothing(string ifname, string? ip, string? mac, string? action, string expected)
    {
        using var h = new Host();
        h.AddTap("tap0");
        string before = h.Ns.Ip("-d", "link", "show", "dev", "tap0") + h.AddrShow("tap0");

        var r = h.Run("gnt-com-ifup", new[] { ifname }, ("IP", ip), ("MAC", mac), ("ACTION", action));

        Assert.NotEqual(0, r.Code);
        Assert.Equal("", r.Out);
        string[] lines = r.Err.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, "expected one line on stderr, got: " + r.Err);
        Assert.StartsWith("gnt-com-ifup: error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.Equal(before, h.Ns.Ip("-d", "link", "show", "dev", "tap0") + h.AddrShow("tap0"));
        Assert.Empty(h.Ns.Routes());
        Assert.Empty(h.Records());
    }

    [HostFact]
    public void The_channel_network_is_configurable()
    {
        using var h = new Host("dhcp = off\nnetwork = 10.77.0.0/16\n");
        h.AddTap("tap0");
        var wrong = h.Ifup("tap0", Ip, Mac);
        Assert.NotEqual(0, wrong.Code);
        Assert.Contains("outside the channel network 10.77.0.0/16", wrong.Err);

        var ok = h.Ifup("tap0", "10.77.3.4", Mac);
        Assert.True(ok.Code == 0, ok.ToString());
        Assert.Contains("10.77.3.4 dev gnt.com.0", string.Join('\n', h.Ns.Routes()));
    }

    [HostFact]
    public void Fifty_concurrent_ifups_get_fifty_distinct_names_and_routes()
    {
        using var h = new Host();
        const int n = 50;
        h.Ns.Sh(string.Join("; ", Enumerable.Range(0, n).Select(i => "ip tuntap add dev t" + i + " mode tap")));

        var runs = Enumerable.Range(0, n).Select(i => Task.Run(() =>
            h.Ifup("t" + i, "169.254.2." + (i + 1), "52:54:00:00:02:" + (i + 1).ToString("x2")))).ToArray();
        Task.WaitAll(runs);

        foreach (var r in runs) Assert.True(r.Result.Code == 0, r.Result.ToString());
        var expected = Enumerable.Range(0, n).Select(i => "gnt.com." + i).OrderBy(s => s).ToArray();
        Assert.Equal(expected, h.Records());
        foreach (string name in expected) Assert.True(h.Ns.LinkExists(name), name + " missing");
        var routes = h.Ns.Routes().Where(r => r.Contains("dev gnt.com.")).ToArray();
        Assert.Equal(n, routes.Length);
        // Every guest IP is routed to exactly the interface whose record names it.
        foreach (string name in expected)
        {
            string ip = h.Record(name).Split('\n').First(l => l.StartsWith("ip="))[3..];
            Assert.Contains(ip + " dev " + name + " ", string.Join('\n', routes) + " ");
        }
    }

    [HostFact]
    public void A_guest_IP_or_MAC_already_in_use_is_refused()
    {
        using var h = new Host();
        h.AddTap("tap0");
        h.AddTap("tap1");
        Assert.Equal(0, h.Ifup("tap0", Ip, Mac).Code);

        var sameIp = h.Ifup("tap1", Ip, "52:54:00:12:34:57");
        Assert.NotEqual(0, sameIp.Code);
        Assert.Contains("IP 169.254.1.2 is already the guest IP of gnt.com.0", sameIp.Err);
        var sameMac = h.Ifup("tap1", "169.254.1.3", Mac);
        Assert.NotEqual(0, sameMac.Code);
        Assert.Contains("MAC 52:54:00:12:34:56 is already the guest MAC of gnt.com.0", sameMac.Err);
        Assert.True(h.Ns.LinkExists("tap1"));
    }

    [HostFact]
    public void Names_match_exactly_and_the_lowest_free_number_is_used()
    {
        using var h = new Host();
        // gnt.com.1 exists (not ours); gnt.com.10 must not make gnt.com.1 look free or taken by prefix.
        h.AddTap("gnt.com.1");
        h.AddTap("gnt.com.10");
        h.AddTap("tap0");
        h.AddTap("tap1");
        Assert.Equal(0, h.Ifup("tap0", Ip, Mac).Code);
        Assert.Equal(0, h.Ifup("tap1", "169.254.1.3", "52:54:00:12:34:57").Code);
        Assert.True(h.Ns.LinkExists("gnt.com.0"));
        Assert.True(h.Ns.LinkExists("gnt.com.2"));
        // The route of gnt.com.1's guest is not mistaken for gnt.com.10's.
        Assert.Equal(0, h.Ifup("gnt.com.1", "169.254.1.4", "52:54:00:12:34:58").Code);
        Assert.Equal(0, h.Ifup("gnt.com.10", "169.254.1.5", "52:54:00:12:34:59").Code);
        Assert.Equal(0, h.Ifdown("gnt.com.1").Code);
        string routes = string.Join('\n', h.Ns.Routes());
        Assert.DoesNotContain("169.254.1.4", routes);
        Assert.Contains("169.254.1.5 dev gnt.com.10", routes);
    }

    [HostFact]
    public void Hooks_run_in_name_order_with_the_ganeti_environment()
    {
        using var h = new Host();
        h.AddTap("tap0");
        string log = Path.Combine(h.Sandbox.Dir, "hooks.log");
        h.Sandbox.Hook("ifup.d", "20-second", "echo \"20 $ACTION $INTERFACE $MODE $IP $MAC $INSTANCE $GNT_COM_ORIGINAL_INTERFACE\" >> " + log);
        h.Sandbox.Hook("ifup.d", "10-first", "ip -4 addr show dev \"$INTERFACE\" | grep -q 169.254.169.254 && echo \"10 configured\" >> " + log);
        h.Sandbox.Hook("ifup.d", "30-skipped.dpkg-old", "echo never >> " + log);
        h.Sandbox.Hook("ifdown.d", "10-down", "echo \"down $ACTION $INTERFACE $IP\" >> " + log);

        Assert.Equal(0, h.Ifup("tap0", Ip, Mac, ("INSTANCE", "vm1")).Code);
        Assert.Equal(0, h.Ifdown("tap0").Code);

        Assert.Equal(new[]
        {
            "10 configured",
            "20 up gnt.com.0 routed 169.254.1.2 52:54:00:12:34:56 vm1 tap0",
            "down down gnt.com.0 169.254.1.2",
        }, File.ReadAllLines(log));
    }

    [HostFact]
    public void A_failing_up_hook_undoes_everything()
    {
        using var h = new Host();
        h.AddTap("tap0");
        h.Sandbox.Hook("ifup.d", "50-firewall", "echo 'cannot install rule' >&2; exit 3");
        string forwarding = h.Ns.Sysctl("net/ipv4/conf/tap0/forwarding");
        string rpFilter = h.Ns.Sysctl("net/ipv4/conf/tap0/rp_filter");

        var r = h.Ifup("tap0", Ip, Mac);

        Assert.Equal(1, r.Code);
        Assert.Contains("hook " + Path.Combine(h.Sandbox.HooksDir, "ifup.d", "50-firewall") + " failed with exit code 3", r.Err);
        Assert.True(h.Ns.LinkExists("tap0"), "the tap got its old name back");
        Assert.DoesNotContain("inet ", h.AddrShow("tap0"));
        Assert.DoesNotContain("UP", h.Ns.Ip("link", "show", "dev", "tap0").Split('\n')[0].Split('>')[0]);
        Assert.Empty(h.Ns.Routes());
        Assert.Empty(h.Records());
        Assert.Equal(forwarding, h.Ns.Sysctl("net/ipv4/conf/tap0/forwarding"));
        Assert.Equal(rpFilter, h.Ns.Sysctl("net/ipv4/conf/tap0/rp_filter"));
        Assert.Contains("cannot install rule", r.Err);
    }

    [HostFact]
    public void A_vanished_tap_is_forgotten_by_the_next_run()
    {
        using var h = new Host();
        string log = Path.Combine(h.Sandbox.Dir, "down.log");
        h.Sandbox.Hook("ifdown.d", "10-log", "echo \"$INTERFACE $IP\" >> " + log);
        h.AddTap("tap0");
        Assert.Equal(0, h.Ifup("tap0", Ip, Mac).Code);
        // qemu killed with SIGKILL: the tap disappears and no downscript runs.
        h.Ns.Ip("link", "del", "gnt.com.0");

        h.AddTap("tap1");
        var r = h.Ifup("tap1", "169.254.1.3", "52:54:00:12:34:57");

        Assert.True(r.Code == 0, r.ToString());
        Assert.Contains("gnt-com-ifup: removed gnt.com.0 (was tap0) ip=169.254.1.2 mac=52:54:00:12:34:56: its interface is gone (the guest ended without a down call)", r.Err);
        Assert.DoesNotContain("warning", r.Err);
        // The new guest's up comes first (the lowest name no live channel holds: the hint
        // says gnt.com.0 is taken), then the round robin forgets the vanished one.
        Assert.Equal(new[] { "gnt.com.1" }, h.Records());
        Assert.Contains("ip=169.254.1.3", h.Record("gnt.com.1"));
        Assert.Equal(new[] { "gnt.com.0 169.254.1.2" }, File.ReadAllLines(log));
    }

    [HostFact("pgrep")]
    public void A_run_killed_mid_set_up_is_rolled_back_exactly_by_the_next_one()
    {
        using var h = new Host();
        string started = Path.Combine(h.Sandbox.Dir, "hook-started");
        h.Sandbox.Hook("ifup.d", "10-slow", "touch " + started + "; sleep 29.125 & exec sleep 29.25");
        h.AddTap("tap0");
        // The tap's settings before: rp_filter off, IPv6 on (not what a channel gets).
        h.Ns.Sh("echo 0 > /proc/sys/net/ipv4/conf/tap0/rp_filter; echo 0 > /proc/sys/net/ipv6/conf/tap0/disable_ipv6");
        string Settings(string dev) => h.Ns.Sysctl("net/ipv4/conf/" + dev + "/rp_filter") + " " + h.Ns.Sysctl("net/ipv6/conf/" + dev + "/disable_ipv6")
            + " " + h.Ns.Must("ethtool", "-k", dev).Split('\n').First(l => l.StartsWith("tx-checksumming"));
        string before = Settings("tap0");

        var run = Task.Run(() => h.Ifup("tap0", Ip, Mac));
        var until = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(started) && DateTime.UtcNow < until) System.Threading.Thread.Sleep(20);
        Assert.True(File.Exists(started), "the hook never started");
        // Meanwhile the run holds the host-wide lock, and status says who.
        Assert.Matches(@"\(locked by pid \d+: \S*gnt-com-ifup tap0\)", h.Admin("status").Out);
        // SIGKILL the ifup itself, mid-way (after the route, before its record is written).
        Proc.Must("pkill", "-9", "-f", "gnt-com-ifup tap0");
        Assert.NotEqual(0, run.Result.Code);
        // The hook itself dies with its call (no kill of ours); its background child is
        // left for the next call, which kills the hook's whole group before rolling back.
        Assert.True(Background.WaitFor(() => Proc.Run("pgrep", "-f", "sleep 29.25").Code != 0, 5000), "the hook outlived its call");
        Assert.Empty(h.Records());
        Assert.True(File.Exists(Path.Combine(h.StateRoot, "journal", "gnt.com.0")), "the killed run's journal is missing");

        File.Delete(Path.Combine(h.Sandbox.HooksDir, "ifup.d", "10-slow"));
        var check = h.Admin("check");
        Assert.Contains("gnt.com.0: set-up never finished", check.Out);
        var repair = h.Admin("repair");
        Assert.True(repair.Code == 0, repair.ToString());
        Assert.Contains("rolled back the unfinished set-up of gnt.com.0 (was tap0) ip=169.254.1.2", repair.Out);
        Assert.True(Background.WaitFor(() => Proc.Run("pgrep", "-f", "sleep 29.125").Code != 0, 5000), "the hook's background child survived the rollback");
        Assert.Empty(h.Records());
        Assert.Empty(h.Ns.Routes());
        Assert.DoesNotContain("1692", h.Ns.Ip("rule"));
        Assert.True(h.Ns.LinkExists("tap0"), "the tap got its hypervisor's name back");
        Assert.DoesNotContain("inet ", h.AddrShow("tap0"));
        Assert.DoesNotContain("UP", h.Ns.Ip("link", "show", "dev", "tap0").Split('\n')[0].Split('>')[0]);
        Assert.Equal(before, Settings("tap0"));
    }
}
