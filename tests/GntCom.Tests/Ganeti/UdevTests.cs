using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// The node converges by itself: the real systemd-udevd, in the node's network namespace,
/// runs the installed udev rule when a channel's interface goes, and within 2 s the node
/// is clean (`gnt-com check`) with nothing else called: Ganeti 3.x calls no down script.
/// </summary>
public sealed class UdevTests
{
    private const string Dnsmasq = "/usr/sbin/dnsmasq";
    /// <summary>How soon the node must be clean after a guest's interface went (issue 13).</summary>
    private const int CleanWithinMs = 2000;

    private static bool CleanSoon(GanetiNode node) => Background.WaitFor(() => node.Admin("check").Code == 0, CleanWithinMs);

    private static void AssertGone(GanetiNode node)
    {
        Assert.Empty(node.Records());
        Assert.Equal("", node.HostsFile);
        Assert.Equal(0, node.DnsmasqPid());
        Assert.Empty(node.IsolationRules());
    }

    [HostFact("bash", "ip", Udevd.Binary, Dnsmasq)]
    public void A_tap_that_goes_is_forgotten_through_udev_within_two_seconds_with_nothing_else_called()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        using var node = site.Node();
        using var udev = site.Udev(node);
        var vm = new Nic("vm1.example.org", "169.254.30.1", "52:54:00:30:00:01");
        string tap = node.OpenTap();
        Assert.Equal(0, node.KvmIfup(tap, vm).Code);
        node.AssertChannel(tap, vm);
        Assert.NotEqual(0, node.DnsmasqPid());
        Assert.NotEmpty(node.IsolationRules());

        // qemu exits: its tap goes. Ganeti 3.x runs nothing.
        node.CloseTap(tap);
        Assert.True(CleanSoon(node), node.Admin("check") + "\n" + udev.Log);
        AssertGone(node);
        Assert.Equal(1, udev.Runs(tap));
        Assert.DoesNotContain("gnt-com: warning", udev.Log);
        Assert.DoesNotContain("gnt-com: error", udev.Log);
    }

    [HostFact("bash", "ip", "qemu-system-x86_64", Udevd.Binary, Dnsmasq)]
    public void A_killed_qemu_leaves_the_node_clean_within_two_seconds()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        using var node = site.Node();
        using var udev = site.Udev(node);
        // qemu opens its tap and runs the installed scripts itself (script=, downscript=).
        var env = new Dictionary<string, string?>
        {
            ["GNT_COM_CONF"] = site.ConfigPath, ["IP"] = "169.254.30.2", ["MAC"] = "52:54:00:30:00:02", ["INSTANCE"] = "vm2",
        };
        using var qemu = new Background("ip", new[]
        {
            "netns", "exec", node.Ns.Name, "qemu-system-x86_64", "-machine", "none", "-nodefaults", "-display", "none",
            "-netdev", "tap,id=n0,ifname=tap0,script=" + site.GntComIfup + ",downscript=" + site.GntComIfup.Replace("ifup", "ifdown"),
        }, env);
        Assert.True(Background.WaitFor(() => node.Records().Contains("gnt.com.0")), qemu.Err);
        Assert.NotEqual(0, node.DnsmasqPid());

        // SIGKILL: no downscript runs; the kernel removes the tap with the last fd.
        Proc.Must("kill", "-KILL", qemu.Pid.ToString());
        // (The kernel removes the tap once the dying qemu's fds are closed: check is clean before that too.)
        Assert.True(Background.WaitFor(() => !node.Ns.LinkExists("gnt.com.0"), 5000), "the killed qemu's tap stays");
        Assert.True(CleanSoon(node), node.Admin("check") + "\n" + udev.Log);
        AssertGone(node);
        Assert.Equal(1, udev.Runs("gnt.com.0"));
    }

    [HostFact("bash", "ip", Udevd.Binary, Dnsmasq)]
    public void A_down_racing_the_udev_event_is_harmless_whichever_comes_first()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        using var node = site.Node();
        using var udev = site.Udev(node);
        var vm = new Nic("vm3.example.org", "169.254.30.3", "52:54:00:30:00:03");
        for (int round = 0; round < 4; round++)
        {
            string tap = node.OpenTap();
            Assert.Equal(0, node.KvmNicSetup("up", tap, vm).Code);
            node.AssertChannel(tap, vm);
            // Ganeti master's down at instance stop while qemu exits and its tap goes.
            var down = Task.Run(() => node.KvmNicSetup("down", tap, vm));
            if (round % 2 == 0) node.CloseTap(tap);
            var d = down.Result;
            if (round % 2 == 1) node.CloseTap(tap);
            Assert.True(d.Code == 0, d.ToString());
            Assert.DoesNotContain("warning", d.Err);
            Assert.True(udev.Settled(tap), udev.Log);
            Assert.True(CleanSoon(node), node.Admin("check") + "\n" + udev.Log);
            AssertGone(node);
        }
        Assert.DoesNotContain("gnt-com: warning", udev.Log);
        Assert.DoesNotContain("gnt-com: error", udev.Log);
    }

    [HostFact("bash", "ip", Dnsmasq)]
    public void A_late_remove_event_never_takes_a_new_guests_channel_of_the_same_name()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        using var node = site.Node();
        var old = new Nic("old.example.org", "169.254.30.4", "52:54:00:30:00:04");
        var next = new Nic("new.example.org", "169.254.30.5", "52:54:00:30:00:05");
        string tap = node.OpenTap();
        Assert.Equal(0, node.KvmIfup(tap, old).Code);
        string oldIndex = Index(node, tap);

        // The old guest's tap goes and a new guest's tap gets the same name (Ganeti names it
        // gnt.com.N, N highest + 1) and its channel, before udev handles the old one's removal.
        node.CloseTap(tap);
        Assert.Equal(tap, node.OpenTap());
        var up = node.KvmIfup(tap, next);
        Assert.True(up.Code == 0, up.ToString());
        string newIndex = Index(node, tap);
        Assert.NotEqual(oldIndex, newIndex);

        // The late event for the old interface: matched by ifindex, it finds nothing to do.
        var late = node.Admin("forget", tap, oldIndex);
        Assert.True(late.Code == 0, late.ToString());
        Assert.Contains("removed " + tap + " (ifindex " + oldIndex + "): no channel of that interface, nothing to do", late.Err);
        node.AssertChannel(tap, next);
        Assert.Equal("52:54:00:30:00:05,169.254.30.5\n", node.HostsFile);

        // An event whose interface still exists (it cannot be a removal of it) changes nothing either.
        var alive = node.Admin("forget", tap, newIndex);
        Assert.True(alive.Code == 0, alive.ToString());
        Assert.Contains("an interface still has that index, nothing to do", alive.Err);
        node.AssertChannel(tap, next);
        var check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());

        foreach (var (name, index, why) in new[] { ("gnt.com.0", "0", "IFINDEX '0' must be a positive number"),
                     ("gnt.com.0", "x3", "IFINDEX 'x3' must be a positive number"), ("a/b", "5", "'a/b' is not a valid interface name") })
        {
            var bad = node.Admin("forget", name, index);
            Assert.Equal(2, bad.Code);
            Assert.Contains(why, bad.Err);
        }
    }

    private static string Index(GanetiNode node, string dev) => node.Ns.Ip("-o", "link", "show", "dev", dev).Split(':')[0];
}
