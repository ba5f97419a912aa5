using System;
using System.IO;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// A KVM live migration, emulated as REFERENCE §8 has it: the guest (its namespace, its
/// interface and its neighbour cache) stays as it is; its host end moves to the target
/// node's namespace under the name Ganeti generates there and with another MAC, as the
/// target's new tap has; the source sees it vanish (qemu killed, no network script); then
/// Ganeti's FinalizeMigrationDst runs kvm-ifup on the target, as for a start. The guest
/// must reach 169.254.169.254 at once: its cached neighbour entry still names the host
/// side's MAC from before.
/// </summary>
public sealed class KvmMigrationTests
{
    private const string Dnsmasq = "/usr/sbin/dnsmasq";
    private const string ChannelMac = "fe:ff:ff:ff:ff:ff";

    [HostFact("bash", "ip", "busybox", Udevd.Binary, Dnsmasq)]
    public void A_live_migrated_guest_reaches_its_host_at_once_and_the_source_is_clean_within_two_seconds()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        using var source = site.Node("ksrc");
        using var target = site.Node("kdst");
        using var udev = site.Udev(source);
        var vm = new Nic("km1.example.org", "169.254.42.1", "52:54:00:42:00:01");
        using var guest = new GuestVm(source, source.GenerateTapName(), vm.Mac);
        var up = source.KvmIfup(guest.HostEnd, vm);
        Assert.True(up.Code == 0, up.ToString());
        Assert.Equal(vm.Ip, guest.Dhcp()?["ip"]);
        Assert.True(guest.Reaches(), "the guest does not reach its host");
        Assert.Equal(ChannelMac, guest.NeighbourMac());

        for (int hop = 0; hop < 2; hop++)
        {
            var (from, to) = hop == 0 ? (source, target) : (target, source);
            // The target's qemu opened a tap Ganeti named there, with a MAC of its own.
            guest.MoveHostEnd(to, to.GenerateTapName(), "02:42:0" + hop + ":00:00:01");
            var ifup = to.KvmIfup(guest.HostEnd, vm);
            Assert.True(ifup.Code == 0, ifup.ToString());
            Assert.True(guest.Reaches(), "hop " + hop + ": the guest does not reach its new host at once; it caches " + guest.NeighbourMac());
            Assert.Equal(vm.Ip, guest.Dhcp(vm.Ip)?["ip"]);
            var check = to.Admin("check");
            Assert.True(check.Code == 0, check.ToString());
            if (hop == 0)
            {
                // The source: its tap is gone; the udev rule forgets the channel with nothing else called.
                Assert.True(Background.WaitFor(() => source.Records().Length == 0 && source.Admin("check").Code == 0, 2000),
                    source.Admin("check") + "\n" + udev.Log);
                Assert.Equal(0, source.DnsmasqPid());
            }
            else
            {
                // No udevd on this node: the next call (here the admin's repair) heals it.
                var repair = target.Admin("repair");
                Assert.True(repair.Code == 0, repair.ToString());
                Assert.Empty(target.Records());
            }
        }
    }

    [HostFact("bash", "ip", "busybox", "unshare", Udevd.Binary, Dnsmasq)]
    public void With_udevd_on_the_target_the_channel_is_ready_before_ganeti_configures_the_tap()
    {
        using var site = new GanetiSite();
        string runDir = Path.Combine(site.Sandbox.Dir, "ganeti-run");
        site.SetConfig("dhcp = dnsmasq\nganeti_run_dir = " + runDir + "\n");
        using var source = site.Node("ksrc");
        using var target = site.Node("kdst");
        using var udev = site.Udev(target);
        var vm = new Nic("km3.example.org", "169.254.42.3", "52:54:00:42:00:03");
        using var guest = new GuestVm(source, source.GenerateTapName(), vm.Mac);
        Assert.Equal(0, source.KvmIfup(guest.HostEnd, vm).Code);
        Assert.Equal(vm.Ip, guest.Dhcp()?["ip"]);

        // gnt-instance migrate: the pre hooks, then the target's qemu -incoming opens its tap
        // (the kernel's add event) and Ganeti writes the instance's NIC file once qemu runs.
        foreach (var node in new[] { source, target })
            Assert.Equal(0, node.RunHooks("instance-migrate", "pre",
                GanetiCallers.MigrateHookEnvironment(vm, "pre", source.Hostname, target.Hostname, source.Hostname)).Code);
        string tap = target.GenerateTapName();
        guest.MoveHostEnd(target, tap, "02:42:00:00:00:03");
        string nicDir = Path.Combine(runDir, "kvm-hypervisor", "nic", vm.Instance);
        Directory.CreateDirectory(nicDir);
        File.WriteAllText(Path.Combine(nicDir, "1"), tap);

        // Before Ganeti's FinalizeMigrationDst runs kvm-ifup, the channel is there.
        Assert.True(Background.WaitFor(() => target.Records().Length == 1, 10_000), udev.Log);
        target.AssertChannel(tap, vm);
        Assert.True(guest.Reaches(), "the channel prepared by udev does not carry the guest's traffic");
        var ifup = target.KvmIfup(tap, vm);
        Assert.True(ifup.Code == 0, ifup.ToString());
        Assert.Contains("already up " + tap, ifup.Err);
        Assert.Equal(vm.Ip, guest.Dhcp(vm.Ip)?["ip"]);
        Assert.Equal(0, target.Admin("check").Code);
        Assert.DoesNotContain("expected", target.Admin("status").Out);
        Assert.Equal(1, udev.Runs(tap, "arrived"));

        // Another instance's tap meanwhile: nobody expects it, nothing happens to it.
        string other = target.OpenTap();
        Assert.True(udev.Settled(other), udev.Log);
        Assert.Single(target.Records());
    }

    [HostFact("bash", "ip", "busybox")]
    public void A_guest_that_cached_another_mac_for_its_host_is_told_where_the_channel_is()
    {
        // A channel set up by GntCom 0.3 or by Ganeti's scripts carried another MAC: a guest
        // that comes from such a node, or whose channel is re-run, learns it from the up.
        using var site = new GanetiSite();
        using var node = site.Node("kgarp");
        var vm = new Nic("km2.example.org", "169.254.42.2", "52:54:00:42:00:02");
        using var guest = new GuestVm(node, node.GenerateTapName(), vm.Mac);
        guest.Ns.Ip("addr", "add", vm.Ip + "/16", "dev", "eth0");
        Assert.Equal(0, node.KvmIfup(guest.HostEnd, vm).Code);
        guest.Ns.Ip("neigh", "replace", "169.254.169.254", "lladdr", "52:54:00:de:ad:01", "dev", "eth0", "nud", "reachable");
        Assert.False(guest.Reaches(), "a guest with a wrong neighbour entry reaches its host anyway: the test proves nothing");

        var again = node.KvmIfup(guest.HostEnd, vm); // Ganeti's up after a migration, or a second up
        Assert.True(again.Code == 0, again.ToString());
        Assert.Equal(ChannelMac, guest.NeighbourMac());
        Assert.True(guest.Reaches(), "the guest was not told the channel's MAC");
    }

    [HostFact("bash", "ip", Udevd.Binary)]
    public void Udevs_mac_policy_never_takes_the_channel_mac_back()
    {
        using var site = new GanetiSite();
        using var node = site.Node("kudev");
        using var udev = site.UdevWithLinkPolicy(node);
        // The policy is in force: a tap created with a random MAC gets udev's own.
        node.Ns.Ip("tuntap", "add", "dev", "gctctl0", "mode", "tap");
        Assert.True(udev.Settled("gctctl0"), udev.Log);
        Assert.Equal("3", node.Ns.Must("cat", "/sys/class/net/gctctl0/addr_assign_type").Trim());

        for (int i = 0; i < 6; i++)
        {
            // Ganeti's tap, its up racing udev's handling of the tap's "add" event.
            string tap = node.OpenTap();
            var vm = new Nic("ku" + i + ".example.org", "169.254.43." + (i + 1), "52:54:00:43:00:0" + (i + 1));
            var up = node.KvmIfup(tap, vm);
            Assert.True(up.Code == 0, up.ToString());
            Assert.True(udev.Settled(tap), udev.Log);
            Assert.Contains("link/ether " + ChannelMac + " ", node.Ns.Ip("link", "show", "dev", tap));
        }
        Assert.Equal(0, node.Admin("check").Code);
    }
}
