using System;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// Xen in its real order, with Ganeti's channel vif (vifname=gnt.com.N, no ip=): a domain's
/// end is netback removing the vif and libxl its backend directory before offline (with the
/// udev event of the removal first, or not at all); a reboot (on_reboot = 'restart', as
/// Ganeti writes it) is that end followed by online for a new domid with the same vif spec,
/// and Ganeti runs no xen-ifup-os then: the channel must come back by itself.
/// </summary>
public sealed class XenRebootTests
{
    private const string Dnsmasq = "/usr/sbin/dnsmasq";

    private static (XenDom0.Domain Domain, Nic Vm) Start(XenDom0 dom0, int domId, Nic vm)
    {
        var d = dom0.Create(domId, vm);
        var online = dom0.Hotplug("online", d);
        Assert.True(online.Code == 0, online.ToString());
        var ifup = dom0.Node.XenIfupOs(d.VifName, vm);
        Assert.True(ifup.Code == 0, ifup.ToString());
        dom0.Node.AssertChannel(d.VifName, vm);
        return (d, vm);
    }

    [HostFact("bash", "ip", "xenstore-read", "busybox", Dnsmasq)]
    public void A_rebooted_domain_gets_its_channel_back_without_xen_ifup_os_and_a_later_xen_ifup_os_readdresses_it()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        string upFile = Path.Combine(site.Sandbox.Dir, "up-saw");
        site.Sandbox.Hook("ifup.d", "50-up", "echo \"$INTERFACE $IP\" >> '" + upFile + "'");
        using var dom0 = new XenDom0(site);
        var node = dom0.Node;
        var (d, vm) = Start(dom0, 5, new Nic("xr1.example.org", "169.254.40.1", "52:54:00:40:00:01"));
        Assert.Equal(vm.Ip, d.Guest.Dhcp()?["ip"]);

        // xl reboot: the old domain ends in Xen's order, libxl creates domain 6 with the same
        // vif spec (vifname, MAC, no ip=) and runs online. Nothing else is called.
        var offline = dom0.Destroy(d);
        Assert.True(offline.Code == 0, offline.ToString());
        var d2 = dom0.Create(6, vm, vifname: d.VifName);
        var online = dom0.Hotplug("online", d2);
        Assert.True(online.Code == 0, online.ToString());
        Assert.Contains("online gnt.com.0 (was vif6.0): the restarted domain's channel is back, 169.254.40.1 52:54:00:40:00:01", online.Err);
        Assert.Equal("connected", dom0.Store.Read(d2.Backend + "/hotplug-status"));
        node.AssertChannel(d2.VifName, vm);
        Assert.Matches(@"\nbackend=\S*backend/vif/6/0\n", node.Record(d2.VifName));
        Assert.Equal("52:54:00:40:00:01,169.254.40.1\n", node.HostsFile);
        Assert.Equal(vm.Ip, d2.Guest.Dhcp()?["ip"]);
        Assert.Equal("gnt.com.0 169.254.40.1\ngnt.com.0 169.254.40.1\n", File.ReadAllText(upFile));
        var check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());

        // An address another live guest holds is refused before anything of this channel goes.
        var (_, busy) = Start(dom0, 30, new Nic("xr9.example.org", "169.254.40.30", "52:54:00:40:00:30"));
        var refused = node.XenIfupOs(d2.VifName, vm with { Ip = busy.Ip });
        Assert.Equal(1, refused.Code);
        Assert.Contains("IP 169.254.40.30 is already the guest IP of gnt.com.1", refused.Err);
        node.AssertChannel(d2.VifName, vm);
        Assert.Equal(0, node.Admin("check").Code);

        // A hard reboot by Ganeti with a changed NIC: its xen-ifup-os gives the guest another IP.
        var moved = vm with { Ip = "169.254.40.9" };
        var ifup = node.XenIfupOs(d2.VifName, moved);
        Assert.True(ifup.Code == 0, ifup.ToString());
        node.AssertChannel(d2.VifName, moved);
        Assert.DoesNotContain(node.Ns.Routes(), r => r.StartsWith("169.254.40.1 ", StringComparison.Ordinal));
        Assert.Contains("52:54:00:40:00:01,169.254.40.9\n", node.HostsFile);
        Assert.DoesNotContain("169.254.40.1\n", node.HostsFile);
        Assert.Equal(moved.Ip, d2.Guest.Dhcp()?["ip"]);
        check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());
        // Re-addressed, it is an ordinary channel again: the same call once more is a no-op.
        Assert.Equal(0, node.XenIfupOs(d2.VifName, moved).Code);
    }

    [HostFact("bash", "ip", "xenstore-read", Udevd.Binary, Dnsmasq)]
    public void With_the_udev_event_first_the_vif_is_forgotten_at_once_and_offline_then_finds_nothing_to_do_quietly()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        using var dom0 = new XenDom0(site);
        var node = dom0.Node;
        using var udev = site.Udev(node);
        var (d, vm) = Start(dom0, 7, new Nic("xr2.example.org", "169.254.40.2", "52:54:00:40:00:02"));

        // netback removes the vif: udev's event comes first.
        dom0.Unregister(d);
        Assert.True(Background.WaitFor(() => node.Admin("check").Code == 0, 2000), node.Admin("check") + "\n" + udev.Log);
        Assert.Empty(node.Records());
        Assert.Equal(0, node.DnsmasqPid());

        // Then libxl removes the backend directory and runs offline: nothing left, no warning.
        dom0.RemoveBackend(d);
        var offline = dom0.Hotplug("offline", d);
        Assert.True(offline.Code == 0, offline.ToString());
        Assert.Contains("offline vif7.0: the vif and its backend are gone and no channel of it is recorded, nothing to do", offline.Err);
        Assert.DoesNotContain("warning", offline.Err);

        // The reboot's online still gets the channel back: udev's teardown remembered it too.
        var d2 = dom0.Create(8, vm, vifname: d.VifName);
        Assert.Equal(0, dom0.Hotplug("online", d2).Code);
        node.AssertChannel(d2.VifName, vm);
        var check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());
    }

    [HostFact("bash", "ip", "xenstore-read")]
    public void Another_guest_under_the_same_vifname_or_an_expired_memory_gets_no_channel_from_it()
    {
        using var site = new GanetiSite();
        using var dom0 = new XenDom0(site);
        var node = dom0.Node;
        var (d, vm) = Start(dom0, 9, new Nic("xr3.example.org", "169.254.40.3", "52:54:00:40:00:03"));
        Assert.Equal(0, dom0.Destroy(d, backendGoneFirst: true).Code);

        // A new domain with another MAC under the freed vifname: only renamed and up, as always.
        var other = new Nic("xr4.example.org", "169.254.40.4", "52:54:00:40:00:04");
        var d2 = dom0.Create(10, other, vifname: d.VifName);
        var online = dom0.Hotplug("online", d2);
        Assert.True(online.Code == 0, online.ToString());
        Assert.Contains("no guest IP known yet, Ganeti's xen-ifup-os completes it", online.Err);
        Assert.Empty(node.Records());
        Assert.DoesNotContain("inet ", node.Addresses(d2.VifName));
        Assert.Equal(0, dom0.Destroy(d2).Code);

        // The first guest comes back, but only after its memory's time (a memory from another
        // clock, ahead of this one, is as dead as one older than five minutes).
        string memory = Path.Combine(node.StateRoot, "recent", d.VifName);
        Assert.True(File.Exists(memory), "no memory of " + d.VifName);
        File.WriteAllText(memory, File.ReadAllText(memory).Split('\n').Select(l => l.StartsWith("ended=") ? "ended=99999999999" : l)
            .Aggregate((a, b) => a + "\n" + b));
        var d3 = dom0.Create(11, vm, vifname: d.VifName);
        online = dom0.Hotplug("online", d3);
        Assert.True(online.Code == 0, online.ToString());
        Assert.Contains("no guest IP known yet", online.Err);
        Assert.Empty(node.Records());
        Assert.False(File.Exists(memory), "an expired memory is dropped when met");
        Assert.Equal(0, node.XenIfupOs(d3.VifName, vm).Code);
        node.AssertChannel(d3.VifName, vm);
    }
}
