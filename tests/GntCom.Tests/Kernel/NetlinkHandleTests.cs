using System.Linq;
using System.Net;
using System.Net.Sockets;
using GntCom.Interop;
using GntCom.Net;
using GntCom.Netlink;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Kernel;

/// <summary>The rtnetlink client against the real kernel, inside a namespace of the test's own.</summary>
public sealed class NetlinkHandleTests
{
    [HostFact]
    public void Links_are_looked_up_renamed_and_set_up_and_down()
    {
        using var ns = new NetNs();
        ns.Ip("tuntap", "add", "dev", "tap0", "mode", "tap");
        InNamespace.Run(ns, () =>
        {
            using var nl = NetlinkHandle.Open();
            var tap = nl.LinkByName("tap0")!;
            Assert.False(tap.IsUp);
            Assert.Equal(tap, nl.LinkByIndex(tap.Index));
            Assert.Null(nl.LinkByName("nosuch0"));
            Assert.Contains(nl.LinkList(), l => l.Name == "lo");

            nl.LinkSetName(tap.Index, "gnt.com.0");
            Assert.Null(nl.LinkByName("tap0"));
            nl.LinkSetUp(tap.Index);
            Assert.True(nl.LinkByName("gnt.com.0")!.IsUp);
            nl.LinkSetDown(tap.Index);
            Assert.False(nl.LinkByIndex(tap.Index)!.IsUp);
            return 0;
        });
        Assert.True(ns.LinkExists("gnt.com.0"));
    }

    [HostFact]
    public void Kernel_refusals_are_typed_with_errno_and_the_extended_ack_text()
    {
        using var ns = new NetNs();
        ns.Ip("tuntap", "add", "dev", "tap0", "mode", "tap");
        ns.Ip("tuntap", "add", "dev", "tap1", "mode", "tap");
        InNamespace.Run(ns, () =>
        {
            using var nl = NetlinkHandle.Open();
            var tap0 = nl.LinkByName("tap0")!;
            var exists = Assert.Throws<NetlinkException>(() => nl.LinkSetName(tap0.Index, "tap1"));
            Assert.Equal(Errno.EEXIST, exists.Errno);
            Assert.StartsWith("link set dev #" + tap0.Index + " name tap1: EEXIST", exists.Message);

            nl.LinkSetUp(tap0.Index);
            var viaNowhere = new Route
            {
                Destination = IPAddress.Parse("10.1.0.0"), PrefixLength = 16, OutputIndex = tap0.Index,
                Gateway = IPAddress.Parse("192.0.2.1"), Scope = RouteScope.Universe,
            };
            var unreachable = Assert.Throws<NetlinkException>(() => nl.RouteAdd(viaNowhere));
            Assert.Equal(Errno.ENETUNREACH, unreachable.Errno);
            Assert.Equal("Nexthop has invalid gateway", unreachable.ExtAck);
            Assert.EndsWith(": Nexthop has invalid gateway", unreachable.Message);
            return 0;
        });
    }

    [HostFact]
    public void Addresses_and_routes_in_the_main_and_a_numbered_table()
    {
        using var ns = new NetNs();
        ns.Ip("tuntap", "add", "dev", "tap0", "mode", "tap");
        var chan = IPAddress.Parse("169.254.169.254");
        var host = new Route { Destination = IPAddress.Parse("169.254.1.2"), PrefixLength = 32 };
        int index = InNamespace.Run(ns, () =>
        {
            using var nl = NetlinkHandle.Open();
            var tap = nl.LinkByName("tap0")!;
            nl.LinkSetUp(tap.Index);
            nl.AddrAdd(tap.Index, chan, 32);
            Assert.Equal(Errno.EEXIST, Assert.Throws<NetlinkException>(() => nl.AddrAdd(tap.Index, chan, 32)).Errno);
            Assert.Contains(nl.AddrList(AddressFamily.InterNetwork, tap.Index), a => a.Address.Equals(chan) && a.PrefixLength == 32);

            var mine = host with { OutputIndex = tap.Index };
            nl.RouteAdd(mine);
            Assert.Equal(Errno.EEXIST, Assert.Throws<NetlinkException>(() => nl.RouteAdd(mine)).Errno);
            nl.RouteReplace(mine with { Scope = RouteScope.Universe });
            nl.RouteAdd(mine with { Table = 1000, Metric = 7 });
            var listed = nl.RouteList(AddressFamily.InterNetwork);
            Assert.Contains(listed, r => r.Table == 1000 && r.Metric == 7 && r.Destination.Equals(host.Destination) && r.OutputIndex == tap.Index && r.Protocol == RouteProtocol.Static);
            Assert.Single(listed, r => r.Table == Route.MainTable && r.Destination.Equals(host.Destination));
            return tap.Index;
        });
        Assert.Equal(new[] { "169.254.1.2 dev tap0 proto static linkdown" }, ns.Routes());
        Assert.Equal(new[] { "169.254.1.2 dev tap0 proto static scope link metric 7 linkdown" }, ns.Routes("1000"));

        InNamespace.Run(ns, () =>
        {
            using var nl = NetlinkHandle.Open();
            var inTable = host with { OutputIndex = index, Table = 1000, Metric = 7 };
            nl.RouteDel(inTable);
            Assert.Equal(Errno.ESRCH, Assert.Throws<NetlinkException>(() => nl.RouteDel(inTable)).Errno);
            nl.AddrDel(index, chan, 32);
            Assert.Empty(nl.AddrList(AddressFamily.InterNetwork, index));
            return 0;
        });
        Assert.Empty(ns.Routes("1000"));
    }

    [HostFact("ethtool")]
    public void Sysctls_and_tx_checksum_offload_are_set_in_the_namespace()
    {
        using var ns = new NetNs();
        ns.Ip("link", "add", "ve0", "type", "veth", "peer", "name", "ve1");
        InNamespace.Run(ns, () =>
        {
            Sysctl.Write(Sysctl.InterfaceKey("ipv4", "ve0", "rp_filter"), "1");
            Assert.Equal("1", Sysctl.Read(Sysctl.InterfaceKey("ipv4", "ve0", "rp_filter")));
            Assert.Contains("no such key", Assert.Throws<GntComException>(() => Sysctl.Read(Sysctl.InterfaceKey("ipv4", "nosuch", "rp_filter"))).Message);
            Assert.True(Ethtool.GetTxChecksum("ve0"));
            Assert.True(Ethtool.SetTxChecksum("ve0", false));
            Assert.False(Ethtool.GetTxChecksum("ve0"));
            return 0;
        });
        Assert.Equal("1", ns.Sysctl("net/ipv4/conf/ve0/rp_filter"));
        Assert.Contains("tx-checksumming: off", ns.Must("ethtool", "-k", "ve0"));
        Assert.Contains("tx-checksumming: on", ns.Must("ethtool", "-k", "ve1"));
    }
}
