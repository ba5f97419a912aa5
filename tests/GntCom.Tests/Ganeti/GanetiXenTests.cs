using System;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// Ganeti on Xen: the channel vif's spec is `vifname=gnt.com.N` with no ip=; libxl runs the
/// hotplug script (here the installed vif-gnt-com) `online` inside `xl create`, then Ganeti
/// runs /etc/ganeti/xen-ifup-os through `sh -c` with the NIC environment. No down from
/// Ganeti: libxl's `offline` on domain destruction is the teardown.
/// </summary>
public sealed class GanetiXenTests
{
    private const string Dnsmasq = "/usr/sbin/dnsmasq";

    [HostFact("bash", "ip", "xenstore-read", "busybox", Dnsmasq)]
    public void Libxl_online_then_xen_ifup_os_make_a_working_vif_channel_and_libxl_offline_removes_it()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        string kindFile = Path.Combine(site.Sandbox.Dir, "hook-saw");
        site.Sandbox.Hook("ifup.d", "50-kind", "echo \"$INTERFACE $GNT_COM_KIND\" >> '" + kindFile + "'");
        using var dom0 = new XenDom0(site);
        var node = dom0.Node;
        var vm = new Nic("xen1.example.org", "169.254.9.1", "52:54:00:09:00:01");

        var d = dom0.Create(7, vm);
        Assert.Equal("gnt.com.0", d.VifName);
        var online = dom0.Hotplug("online", d);
        Assert.True(online.Code == 0, online.ToString());
        Assert.False(node.Ns.LinkExists(d.Vif));
        Assert.Matches(@"<[^>]*\bUP\b[^>]*>", node.Ns.Ip("-o", "link", "show", "dev", d.VifName));
        Assert.Equal("connected", dom0.Store.Read(d.Backend + "/hotplug-status"));
        Assert.Null(dom0.Store.Read(d.Backend + "/hotplug-error"));
        Assert.Empty(node.Records());
        Assert.DoesNotContain("inet ", node.Addresses(d.VifName));

        // After `xl create`, Ganeti runs xen-ifup-os for the NIC.
        var ifup = node.XenIfupOs(d.VifName, vm);
        Assert.True(ifup.Code == 0, ifup.ToString());
        node.AssertChannel(d.VifName, vm);
        Assert.Contains("kind=vif", node.Record(d.VifName));
        Assert.Contains("instance=xen1.example.org", node.Record(d.VifName));
        var status = node.Admin("status");
        Assert.True(status.Code == 0, status.ToString());
        var row = status.Out.Split('\n').Single(l => l.StartsWith("gnt.com.0 ", StringComparison.Ordinal));
        Assert.Equal(new[] { "gnt.com.0", "vif7.0", "169.254.9.1", "52:54:00:09:00:01", "xen1.example.org", "vif", "up" },
            row.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("gnt.com.0 vif\n", File.ReadAllText(kindFile));
        Assert.Equal("52:54:00:09:00:01,169.254.9.1\n", node.HostsFile);

        // The guest leases its address and talks to the host; the host reaches the guest.
        var lease = d.Guest.Dhcp();
        Assert.NotNull(lease);
        Assert.Equal("169.254.9.1", lease!["ip"]);
        using (var hostService = InNamespace.TcpListen(node.Ns, "169.254.169.254", 80))
        {
            Exchange.AcceptEcho(hostService);
            Assert.Equal("ECHO from 169.254.9.1: GET /", InNamespace.TcpRoundTrip(d.Guest.Ns, "169.254.169.254", 80, "GET /"));
        }
        using (var guestService = InNamespace.TcpListen(d.Guest.Ns, "169.254.9.1", 22))
        {
            Exchange.AcceptEcho(guestService);
            Assert.Equal("ECHO from 169.254.169.254: hello", InNamespace.TcpRoundTrip(node.Ns, "169.254.9.1", 22, "hello"));
        }
        var check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());

        // The domain is destroyed as Xen 4.17 destroys it: netback removes the vif, libxl
        // its backend directory, then runs offline, which takes the channel recorded for
        // that backend path down as an ordinary down: info, no warning, the down hooks
        // with libxl's environment.
        string downFile = Path.Combine(site.Sandbox.Dir, "down-saw");
        site.Sandbox.Hook("ifdown.d", "50-env", "echo \"$ACTION $INTERFACE $IP vif=$vif XENBUS_PATH=$XENBUS_PATH\" >> '" + downFile + "'");
        var offline = dom0.Destroy(d);
        Assert.True(offline.Code == 0, offline.ToString());
        Assert.Contains("offline gnt.com.0 (was vif7.0) ip=169.254.9.1", offline.Err);
        Assert.DoesNotContain("warning", offline.Err);
        Assert.Equal("down gnt.com.0 169.254.9.1 vif=vif7.0 XENBUS_PATH=backend/vif/7/0\n", File.ReadAllText(downFile));
        Assert.Empty(node.Records());
        Assert.DoesNotContain(node.Ns.Routes(), r => r.StartsWith("169.254.9.1 ", StringComparison.Ordinal));
        Assert.Equal("", node.HostsFile);
        Assert.Equal(0, node.DnsmasqPid());
        node.AssertNothingConfigured(d.VifName);
        check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());
    }

    [HostFact("bash", "ip", "xenstore-read")]
    public void Libxl_offline_after_netback_already_removed_the_vif_still_tears_the_channel_down()
    {
        using var site = new GanetiSite();
        using var dom0 = new XenDom0(site);
        var node = dom0.Node;
        var vm = new Nic("xen2.example.org", "169.254.9.2", "52:54:00:09:00:02");
        var d = dom0.Create(8, vm);
        Assert.Equal(0, dom0.Hotplug("online", d).Code);
        Assert.Equal(0, node.XenIfupOs(d.VifName, vm, master: true).Code);
        node.AssertChannel(d.VifName, vm);
        // Enough other channels that the round robin of vanished-guest checks would meet
        // this one first, were it to run before the offline's own teardown.
        var others = new[] { dom0.Create(20, new Nic("o1.example.org", "169.254.9.20", "52:54:00:09:00:20")) };
        Assert.Equal(0, dom0.Hotplug("online", others[0]).Code);
        Assert.Equal(0, node.XenIfupOs(others[0].VifName, new Nic("o1.example.org", "169.254.9.20", "52:54:00:09:00:20")).Code);

        // The frontend closed with online=0: netback unregistered the netdev and libxl removed
        // the backend directory before libxl's offline.
        var offline = dom0.Destroy(d, backendGoneFirst: true);
        Assert.True(offline.Code == 0, offline.ToString());
        Assert.Contains("offline gnt.com.0 (was vif8.0)", offline.Err);
        Assert.DoesNotContain("vanished", offline.Err);
        Assert.DoesNotContain("warning", offline.Err);
        Assert.Equal(new[] { "gnt.com.1" }, node.Records());
        var check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());
        Assert.Equal(0, dom0.Destroy(others[0]).Code);
        Assert.Empty(node.Records());
        Assert.Empty(node.IsolationRules());

        // The same guest comes back (xl create again): its IP and MAC are free.
        var again = dom0.Create(9, vm);
        Assert.Equal("gnt.com.0", again.VifName);
        Assert.Equal(0, dom0.Hotplug("online", again).Code);
        var ifup = node.XenIfupOs(again.VifName, vm);
        Assert.True(ifup.Code == 0, ifup.ToString());
        node.AssertChannel(again.VifName, vm);
    }

    [HostFact("bash", "ip", "xenstore-read")]
    public void A_migration_target_whose_vifname_is_taken_brings_the_vif_up_without_a_channel_and_without_failing()
    {
        using var site = new GanetiSite();
        using var dom0 = new XenDom0(site);
        var node = dom0.Node;
        var local = new Nic("here.example.org", "169.254.9.3", "52:54:00:09:00:03");
        var d1 = dom0.Create(10, local);
        Assert.Equal(0, dom0.Hotplug("online", d1).Code);
        Assert.Equal(0, node.XenIfupOs(d1.VifName, local).Code);
        node.AssertChannel(d1.VifName, local);

        // xl migrate-receive uses the source's config: its vifname is this node's gnt.com.0.
        var incoming = new Nic("moved.example.org", "169.254.9.4", "52:54:00:09:00:04");
        var d2 = dom0.Create(11, incoming);
        dom0.Store.Write(d2.Backend + "/vifname", d1.VifName);
        var online = dom0.Hotplug("online", d2);
        Assert.True(online.Code == 0, online.ToString());
        Assert.Contains("vifname gnt.com.0 is taken by another interface: vif11.0 keeps its name and gets no channel", online.Err);
        Assert.Equal("connected", dom0.Store.Read(d2.Backend + "/hotplug-status"));
        Assert.Matches(@"<[^>]*\bUP\b[^>]*>", node.Ns.Ip("-o", "link", "show", "dev", d2.Vif));
        // This node's own guest keeps its channel, untouched.
        node.AssertChannel(d1.VifName, local);
        Assert.Equal(new[] { "gnt.com.0" }, node.Records());

        // The incoming domain goes again: its offline names vifname gnt.com.0 too, but that
        // channel is another vif's (another backend path): it stays.
        var offline = dom0.Hotplug("offline", d2);
        Assert.DoesNotContain("warning", offline.Err);
        Assert.True(offline.Code == 0, offline.ToString());
        node.AssertChannel(d1.VifName, local);
        Assert.Equal(new[] { "gnt.com.0" }, node.Records());
        Assert.DoesNotMatch(@"<[^>]*\bUP\b[^>]*>", node.Ns.Ip("-o", "link", "show", "dev", d2.Vif));
    }
}
