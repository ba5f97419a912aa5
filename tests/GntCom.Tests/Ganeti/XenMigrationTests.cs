using System;
using System.IO;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// A Xen live migration of Ganeti's channel vif (vifname=gnt.com.N, no ip=) between two
/// dom0 stand-ins, fed the calls of REFERENCE §8 in their real order: Ganeti's
/// instance-migrate pre hooks on the master, the source and the target (the hooks `gnt-com
/// ganeti enable` installed, run as Ganeti's hooks runner runs them); on the target
/// `xl migrate-receive`'s domain with the source's vif spec and its online; the guest,
/// its interface and its neighbour cache unchanged; on the source netback's removal of the
/// vif and offline; then the post hooks. Ganeti runs no xen-ifup-os on the target.
/// </summary>
public sealed class XenMigrationTests
{
    private const string Dnsmasq = "/usr/sbin/dnsmasq";

    private static XenDom0.Domain Start(XenDom0 dom0, int domId, Nic vm)
    {
        var d = dom0.Create(domId, vm);
        Assert.Equal(0, dom0.Hotplug("online", d).Code);
        var ifup = dom0.Node.XenIfupOs(d.VifName, vm);
        Assert.True(ifup.Code == 0, ifup.ToString());
        dom0.Node.AssertChannel(d.VifName, vm);
        return d;
    }

    /// <summary>The migration of <paramref name="d"/> from <paramref name="source"/> to <paramref name="target"/> as domain <paramref name="newDomId"/>.</summary>
    private static XenDom0.Domain Migrate(XenDom0 source, XenDom0 target, XenDom0.Domain d, Nic vm, int newDomId)
    {
        foreach (var node in new[] { source.Node, target.Node })
        {
            var pre = node.RunHooks("instance-migrate", "pre",
                GanetiCallers.MigrateHookEnvironment(vm, "pre", source.Node.Hostname, target.Node.Hostname, source.Node.Hostname));
            Assert.True(pre.Code == 0, "pre hook on " + node.Hostname + ": " + pre);
        }
        var received = target.Receive(newDomId, vm, d);
        var online = target.Hotplug("online", received);
        Assert.True(online.Code == 0, online.ToString());
        Assert.Equal("connected", target.Store.Read(received.Backend + "/hotplug-status"));
        // The source's domain goes: its vif is gone already (it moved), then offline.
        source.Store.Write(d.Backend + "/state", "6");
        source.Store.Remove(d.Backend + "/hotplug-status");
        Assert.Equal(0, source.Hotplug("offline", d).Code);
        source.RemoveBackend(d);
        foreach (var node in new[] { source.Node, target.Node })
        {
            var post = node.RunHooks("instance-migrate", "post",
                GanetiCallers.MigrateHookEnvironment(vm, "post", source.Node.Hostname, target.Node.Hostname, source.Node.Hostname));
            Assert.True(post.Code == 0, "post hook on " + node.Hostname + ": " + post);
        }
        return received;
    }

    [HostFact("bash", "ip", "xenstore-read", "busybox", "unshare", Dnsmasq)]
    public void A_live_migrated_domain_gets_its_channel_on_the_target_from_ganetis_migrate_hook()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        string upFile = Path.Combine(site.Sandbox.Dir, "up-saw");
        site.Sandbox.Hook("ifup.d", "50-up", "echo \"$INTERFACE $IP $INSTANCE\" >> '" + upFile + "'");
        using var source = new XenDom0(site, "xsrc");
        using var target = new XenDom0(site, "xdst");
        var vm = new Nic("xm1.example.org", "169.254.41.1", "52:54:00:41:00:01");
        var d = Start(source, 5, vm);
        Assert.Equal(vm.Ip, d.Guest.Dhcp()?["ip"]);
        Assert.True(d.Guest.Reaches(), "the guest does not reach its host before the migration");

        var arrived = Migrate(source, target, d, vm, 12);

        // On the target: the whole channel, under Ganeti's vifname, with no xen-ifup-os.
        target.Node.AssertChannel(arrived.VifName, vm);
        Assert.Matches(@"\nbackend=\S*backend/vif/12/0\n", target.Node.Record(arrived.VifName));
        Assert.Equal("52:54:00:41:00:01,169.254.41.1\n", target.Node.HostsFile);
        Assert.Equal("gnt.com.0 169.254.41.1 xm1.example.org\ngnt.com.0 169.254.41.1 xm1.example.org\n", File.ReadAllText(upFile));
        // The guest reaches the new host at once (Xen's vifs all carry one MAC) and leases there.
        Assert.True(arrived.Guest.Reaches(), "the migrated guest does not reach its new host");
        Assert.Equal(vm.Ip, arrived.Guest.Dhcp(vm.Ip)?["ip"]);
        // Both nodes are clean: the source has nothing left, the target nothing but the channel.
        foreach (var node in new[] { source.Node, target.Node })
        {
            var check = node.Admin("check");
            Assert.True(check.Code == 0, node.Hostname + ": " + check);
        }
        Assert.Empty(source.Node.Records());
        Assert.Equal(0, source.Node.DnsmasqPid());
        Assert.False(Directory.Exists(Path.Combine(target.Node.StateRoot, "expected"))
            && Directory.GetFiles(Path.Combine(target.Node.StateRoot, "expected")).Length > 0, "an expectation outlived its migration");

        // And back again: the source is the target now.
        var back = Migrate(target, source, arrived, vm, 13);
        source.Node.AssertChannel(back.VifName, vm);
        Assert.True(back.Guest.Reaches(), "the guest does not reach its host after migrating back");
        Assert.Empty(target.Node.Records());
        Assert.Equal(0, target.Node.Admin("check").Code);
    }

    [HostFact("bash", "ip", "xenstore-read", "busybox", "unshare", Dnsmasq)]
    public void A_vifname_another_guest_holds_on_the_target_costs_the_migrating_guest_nothing()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        using var source = new XenDom0(site, "xsrc");
        using var target = new XenDom0(site, "xdst");
        var vm = new Nic("xm2.example.org", "169.254.41.2", "52:54:00:41:00:02");
        var local = new Nic("xm3.example.org", "169.254.41.3", "52:54:00:41:00:03");
        var d = Start(source, 5, vm);
        var resident = Start(target, 6, local); // gnt.com.0 on the target is this guest's
        Assert.Equal(d.VifName, resident.VifName);
        Assert.Equal(vm.Ip, d.Guest.Dhcp()?["ip"]);
        Assert.Equal(local.Ip, resident.Guest.Dhcp()?["ip"]);

        var arrived = Migrate(source, target, d, vm, 14);
        Assert.Equal("gnt.com.1", Assert.Single(target.Node.Records(), r => r != resident.VifName));
        target.Node.AssertChannel("gnt.com.1", vm);
        target.Node.AssertChannel(resident.VifName, local);
        Assert.Matches(@"\nvifname=gnt\.com\.0\n", target.Node.Record("gnt.com.1"));
        Assert.True(arrived.Guest.Reaches(), "the migrated guest does not reach its new host");
        Assert.True(resident.Guest.Reaches(), "the resident guest lost its channel");
        Assert.Equal(vm.Ip, arrived.Guest.Dhcp(vm.Ip)?["ip"]);
        Assert.Equal(local.Ip, resident.Guest.Dhcp(local.Ip)?["ip"]);
        Assert.Equal(0, target.Node.Admin("check").Code);
        Assert.Equal(0, source.Node.Admin("check").Code);

        // A reboot there (same vif spec: Ganeti's vifname, still the other guest's) gets the channel back.
        var offline = target.Destroy(arrived);
        Assert.True(offline.Code == 0, offline.ToString());
        var rebooted = target.Create(15, vm, vifname: d.VifName);
        var again = target.Hotplug("online", rebooted);
        Assert.True(again.Code == 0, again.ToString());
        Assert.Contains(target.Node.Records(), r => target.Node.Record(r).Contains("\nmac=" + vm.Mac + "\n", StringComparison.Ordinal));
        Assert.True(rebooted.Guest.Dhcp()?["ip"] == vm.Ip, again + "\n" + target.Node.Admin("status") + target.Node.Ns.Ip("link") + target.Node.RoutesText);
        Assert.True(rebooted.Guest.Reaches(), "the rebooted guest does not reach its host");
        Assert.Equal(0, target.Node.Admin("check").Code);
    }

    [HostFact("bash", "ip", "xenstore-read", "unshare")]
    public void The_hook_does_nothing_on_other_nodes_and_never_fails_a_migration()
    {
        using var site = new GanetiSite();
        using var source = new XenDom0(site, "xsrc");
        using var target = new XenDom0(site, "xdst");
        var vm = new Nic("xm4.example.org", "169.254.41.4", "52:54:00:41:00:04");
        var env = GanetiCallers.MigrateHookEnvironment(vm, "pre", source.Node.Hostname, target.Node.Hostname, source.Node.Hostname);
        var onSource = source.Node.RunHooks("instance-migrate", "pre", env);
        Assert.True(onSource.Code == 0, onSource.ToString());
        Assert.Contains("not the migration's target", onSource.Out);
        Assert.False(Directory.Exists(Path.Combine(source.Node.StateRoot, "expected")), "the source expects a channel");

        var onTarget = target.Node.RunHooks("instance-migrate", "pre", env);
        Assert.True(onTarget.Code == 0, onTarget.ToString());
        Assert.Contains("expecting xm4.example.org's channel 169.254.41.4 52:54:00:41:00:04", onTarget.Out);
        Assert.Contains("expected (by live migration):\n  52:54:00:41:00:04  169.254.41.4  xm4.example.org", target.Node.Admin("status").Out);

        // A NIC Ganeti describes wrongly: said on stderr, exit 0 (the migration goes on).
        env["GANETI_INSTANCE_NIC1_MAC"] = "not-a-mac";
        var bad = target.Node.RunHooks("instance-migrate", "pre", env);
        Assert.True(bad.Code == 0, bad.ToString());
        Assert.Contains("GANETI_INSTANCE_NIC1_MAC 'not-a-mac' is not a MAC address", bad.Err);

        // The post hook drops what a failed migration left; run by hand, without Ganeti, it is an error.
        env["GANETI_INSTANCE_NIC1_MAC"] = vm.Mac;
        env["GANETI_HOOKS_PHASE"] = "post";
        Assert.Equal(0, target.Node.RunHooks("instance-migrate", "post", env).Code);
        Assert.DoesNotContain("expected", target.Node.Admin("status").Out);
        var byHand = target.Node.Admin("ganeti", "hook");
        Assert.Equal(2, byHand.Code);
        Assert.Contains("GANETI_HOOKS_PHASE is not set", byHand.Err);
    }
}
