using System;
using System.IO;
using System.Linq;
using GntCom.Tests.Dhcp;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Kvm;

/// <summary>
/// The channel's three properties, on a host that forwards packets (the worst case):
/// exclusive (a guest reaches its host only: not another guest, not the world, not with
/// another guest's IP), generic (any service on the host) and bidirectional.
/// </summary>
public sealed class ChannelPropertyTests
{
    [HostFact]
    public void The_channel_is_exclusive_generic_and_bidirectional()
    {
        using var lab = new DhcpLab("dhcp = off\n");
        var h = lab.Host;
        var g1 = lab.AddGuest("52:54:00:0e:00:01");
        var g2 = lab.AddGuest("52:54:00:0e:00:02");
        Assert.Equal(0, lab.Up(g1, "169.254.30.1").Code);
        Assert.Equal(0, lab.Up(g2, "169.254.30.2").Code);
        // The host routes for others: the channel must stay exclusive anyway.
        h.Ns.Sh("echo 1 > /proc/sys/net/ipv4/ip_forward");
        // The world beyond the host: a namespace on an uplink, reachable from the host.
        using var world = new NetNs("world");
        h.Ns.Ip("link", "add", "uplink", "type", "veth", "peer", "name", "wan0", "netns", world.Name);
        h.Ns.Ip("addr", "add", "203.0.113.1/24", "dev", "uplink");
        h.Ns.Ip("link", "set", "uplink", "up");
        world.Ip("addr", "add", "203.0.113.2/24", "dev", "wan0");
        world.Ip("link", "set", "wan0", "up");
        world.Ip("route", "add", "default", "via", "203.0.113.1");
        foreach (var (g, ip) in new[] { (g1, "169.254.30.1"), (g2, "169.254.30.2") })
        {
            g.Ns.Ip("addr", "add", ip + "/16", "dev", "eth0");
            // A guest that tries every way out: the host as its default gateway.
            g.Ns.Ip("route", "add", "default", "via", "169.254.169.254");
        }

        using var hostService = InNamespace.TcpListen(h.Ns, "169.254.169.254", 7000);
        Exchange.AcceptEcho(hostService, count: 2);
        using var otherHostService = InNamespace.TcpListen(h.Ns, "0.0.0.0", 7001);
        Exchange.AcceptEcho(otherHostService);
        using var g2Service = InNamespace.TcpListen(g2.Ns, "0.0.0.0", 7002);
        Exchange.AcceptEcho(g2Service);
        using var worldService = InNamespace.TcpListen(world, "203.0.113.2", 7003);
        Exchange.AcceptEcho(worldService);

        // generic: any service on the host, on the channel address or any address.
        Assert.Equal("ECHO from 169.254.30.1: a", InNamespace.TcpRoundTrip(g1.Ns, "169.254.169.254", 7000, "a"));
        Assert.Equal("ECHO from 169.254.30.2: b", InNamespace.TcpRoundTrip(g2.Ns, "169.254.169.254", 7000, "b"));
        Assert.Equal("ECHO from 169.254.30.1: c", InNamespace.TcpRoundTrip(g1.Ns, "169.254.169.254", 7001, "c"));
        // bidirectional: the host opens a connection to a guest.
        Assert.Equal("ECHO from 169.254.169.254: d", InNamespace.TcpRoundTrip(h.Ns, "169.254.30.2", 7002, "d"));
        // The world is reachable from the host, so the refusals below are the channel's doing.
        Assert.True(InNamespace.TcpReaches(h.Ns, "203.0.113.2", 7003));

        using var g2Again = InNamespace.TcpListen(g2.Ns, "0.0.0.0", 7004);
        Exchange.AcceptEcho(g2Again);
        using var worldAgain = InNamespace.TcpListen(world, "203.0.113.2", 7005);
        Exchange.AcceptEcho(worldAgain);
        // exclusive: not another guest, not the world beyond the host.
        Assert.False(InNamespace.TcpReaches(g1.Ns, "169.254.30.2", 7004), "guest 1 reached guest 2");
        Assert.False(InNamespace.TcpReaches(g1.Ns, "203.0.113.2", 7005), "guest 1 reached the world");
        // ... and not the other way: the world routes 169.254.0.0/16 through the forwarding
        // host (its default route), yet reaches no guest.
        using var g2FromWorld = InNamespace.TcpListen(g2.Ns, "0.0.0.0", 7007);
        Exchange.AcceptEcho(g2FromWorld);
        Assert.False(InNamespace.TcpReaches(world, "169.254.30.2", 7007), "the world reached guest 2");
        Assert.Null(InNamespace.UdpRoundTrip(world, "169.254.30.1", 7008, "x", 1000));
        // Writing ip_forward set every interface's forwarding to 1: the isolation does not
        // depend on it, and check has nothing to say.
        Assert.Equal("1", h.Ns.Sysctl("net/ipv4/conf/gnt.com.0/forwarding"));
        Assert.Equal(0, h.Admin("check").Code);

        // exclusive: guest 1 posing as guest 2 gets nowhere (rp_filter drops it; the
        // host route would send any reply to guest 2's interface anyway).
        g1.Ns.Ip("addr", "flush", "dev", "eth0");
        g1.Ns.Ip("addr", "add", "169.254.30.2/16", "dev", "eth0");
        g1.Ns.Ip("route", "add", "default", "via", "169.254.169.254");
        using var spoofTarget = InNamespace.TcpListen(h.Ns, "169.254.169.254", 7006);
        Exchange.AcceptEcho(spoofTarget);
        Assert.False(InNamespace.TcpReaches(g1.Ns, "169.254.169.254", 7006), "a guest with another guest's IP reached the host");
    }
}
