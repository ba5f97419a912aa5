using System;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// Ganeti master on KVM: PKGLIBDIR/kvm-nic-setup executes /etc/ganeti/kvm-ifup-os with
/// ACTION=up|down. Down comes on instance stop (again at every retry of a soft stop, the
/// tap maybe still there), on a migration's source before the target's up (which carries
/// MIGRATION_PHASE=post), and on a failed migration's target, whose tap is already gone.
/// </summary>
public sealed class GanetiMasterKvmTests
{
    private const string Dnsmasq = "/usr/sbin/dnsmasq";

    [HostFact("bash", "ip", Dnsmasq)]
    public void Up_then_down_sets_the_channel_up_and_takes_it_all_away()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        using var node = site.Node();
        var vm = new Nic("vm1.example.org", "169.254.5.1", "52:54:00:05:00:01");
        string tap = node.OpenTap();

        var up = node.KvmNicSetup("up", tap, vm);
        Assert.True(up.Code == 0, up.ToString());
        node.AssertChannel(tap, vm);
        Assert.Equal("52:54:00:05:00:01,169.254.5.1\n", node.HostsFile);
        Assert.NotEqual(0, node.DnsmasqPid());
        Assert.NotEmpty(node.IsolationRules());

        // Instance stop: down, then qemu is killed (the tap is still there at the down).
        var down = node.KvmNicSetup("down", tap, vm);
        Assert.True(down.Code == 0, down.ToString());
        node.AssertNothingConfigured(tap);
        Assert.Equal("", node.HostsFile);
        Assert.Equal(0, node.DnsmasqPid());
        node.CloseTap(tap);
        var check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());
    }

    [HostFact("bash", "ip", Dnsmasq)]
    public void Migration_source_down_then_target_post_up_leaves_the_guest_configured_on_the_target_only()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        using var source = site.Node("src");
        using var target = site.Node("dst");
        var vm = new Nic("mig.example.org", "169.254.6.1", "52:54:00:06:00:01");
        var other = new Nic("other.example.org", "169.254.6.2", "52:54:00:06:00:02");

        string srcTap = source.OpenTap();
        Assert.Equal(0, source.KvmNicSetup("up", srcTap, vm).Code);
        // The target already runs a guest of its own.
        string otherTap = target.OpenTap();
        Assert.Equal(0, target.KvmNicSetup("up", otherTap, other).Code);

        // AcceptInstance opens the target's tap (named on the target) and calls nothing for a routed NIC.
        string dstTap = target.OpenTap();
        Assert.Equal("gnt.com.1", dstTap);
        // Success: the source is finalized first (down, then its qemu is killed) ...
        var down = source.KvmNicSetup("down", srcTap, vm);
        Assert.True(down.Code == 0, down.ToString());
        source.CloseTap(srcTap);
        // ... then the target (up, MIGRATION_PHASE=post).
        var up = target.KvmNicSetup("up", dstTap, vm, migrationPhase: "post");
        Assert.True(up.Code == 0, up.ToString());

        target.AssertChannel(dstTap, vm);
        target.AssertChannel(otherTap, other);
        Assert.Equal(new[] { "52:54:00:06:00:01,169.254.6.1", "52:54:00:06:00:02,169.254.6.2" },
            target.HostsFile.Split('\n', StringSplitOptions.RemoveEmptyEntries).OrderBy(l => l, StringComparer.Ordinal).ToArray());
        Assert.NotEqual(0, target.DnsmasqPid());

        Assert.Empty(source.Records());
        Assert.DoesNotContain(source.Ns.Routes(), r => r.StartsWith("169.254.6.1 ", StringComparison.Ordinal));
        Assert.Equal("", source.HostsFile);
        Assert.Equal(0, source.DnsmasqPid());
        Assert.Empty(source.IsolationRules());

        foreach (var n in new[] { source, target })
        {
            var check = n.Admin("check");
            Assert.True(check.Code == 0, check.ToString());
        }
    }

    [HostFact("bash", "ip")]
    public void Down_of_a_vanished_tap_exits_0_and_leaves_no_state_nor_touches_the_guest_now_named_so()
    {
        using var site = new GanetiSite();
        using var target = site.Node("dst");
        var vm = new Nic("mig.example.org", "169.254.7.1", "52:54:00:07:00:01");
        var resident = new Nic("resident.example.org", "169.254.7.2", "52:54:00:07:00:02");
        var newcomer = new Nic("newcomer.example.org", "169.254.7.3", "52:54:00:07:00:03");
        string residentTap = target.OpenTap();
        Assert.Equal(0, target.KvmNicSetup("up", residentTap, resident).Code);

        // A failed migration's target: the tap was opened, qemu is killed (the tap goes), then down.
        string dstTap = target.OpenTap();
        Assert.Equal("gnt.com.1", dstTap);
        target.CloseTap(dstTap);
        var down = target.KvmNicSetup("down", dstTap, vm);
        Assert.True(down.Code == 0, down.ToString());
        Assert.DoesNotContain(": error: ", down.Err);
        Assert.Equal(new[] { residentTap }, target.Records());
        target.AssertChannel(residentTap, resident);
        var check = target.Admin("check");
        Assert.True(check.Code == 0, check.ToString());

        // Another start took the name meanwhile; the late down of the failed migration (same
        // tap name, its own IP and MAC) leaves that guest alone.
        string newTap = target.OpenTap();
        Assert.Equal(dstTap, newTap);
        Assert.Equal(0, target.KvmNicSetup("up", newTap, newcomer).Code);
        var late = target.KvmNicSetup("down", dstTap, vm);
        Assert.True(late.Code == 0, late.ToString());
        target.AssertChannel(newTap, newcomer);
        target.AssertChannel(residentTap, resident);

        // The migrated guest's IP and MAC were never held: it can start here afterwards.
        string again = target.OpenTap();
        var up = target.KvmNicSetup("up", again, vm);
        Assert.True(up.Code == 0, up.ToString());
        target.AssertChannel(again, vm);
    }

    [HostFact("bash", "ip")]
    public void Repeated_downs_of_a_soft_stop_are_harmless()
    {
        using var site = new GanetiSite();
        using var node = site.Node();
        var vm = new Nic("stopping.example.org", "169.254.8.1", "52:54:00:08:00:01");
        var other = new Nic("running.example.org", "169.254.8.2", "52:54:00:08:00:02");
        string tap = node.OpenTap();
        Assert.Equal(0, node.KvmNicSetup("up", tap, vm).Code);
        string otherTap = node.OpenTap();
        Assert.Equal(0, node.KvmNicSetup("up", otherTap, other).Code);

        // ACPI powerdown sent; Ganeti retries StopInstance every 5 s while the guest shuts
        // down, each time with a down; the tap lives until qemu exits.
        for (int i = 0; i < 3; i++)
        {
            var down = node.KvmNicSetup("down", tap, vm);
            Assert.True(down.Code == 0, "down #" + (i + 1) + ": " + down);
            Assert.DoesNotContain(": error: ", down.Err);
            Assert.Equal(new[] { otherTap }, node.Records());
            Assert.DoesNotContain("inet ", node.Addresses(tap));
            node.AssertChannel(otherTap, other);
        }
        node.CloseTap(tap);
        var last = node.KvmNicSetup("down", tap, vm);
        Assert.True(last.Code == 0, last.ToString());
        node.AssertChannel(otherTap, other);
        var check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());
    }
}
