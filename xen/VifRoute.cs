using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using GntCom;
using GntCom.Inputs;
using GntCom.Interop;
using GntCom.Net;
using GntCom.Netlink;
using GntCom.Channel;

namespace GntCom.Xen;

/// <summary>
/// A routed vif, as Xen's vif-route sets it up: dom0's address (first primary IPv4 of
/// netdev) as /32 on the vif, link up, proxy_arp on, and per guest address or network a
/// route `ADDR dev VIF src DOM0IP metric M` (M = 1 for an emulated tap, 2 for a PV vif,
/// proto boot as `ip route add` makes it). Where GntCom differs on purpose: no iptables
/// FORWARD rules (they only match bridged traffic, and firewalling belongs to the admin's
/// hooks), no broadcast address on the /32, and a failed step is undone and reported
/// rather than ignored.
/// </summary>
internal sealed class VifRoute
{
    private readonly NetlinkHandle _nl;

    public VifRoute(NetlinkHandle nl) => _nl = nl;

    /// <summary>Parses the store's `ip` list: IPv4 addresses or networks, space-separated.</summary>
    public static List<(IPAddress Address, int PrefixLength)> ParseIpList(string? list, string what)
    {
        var result = new List<(IPAddress, int)>();
        if (list == null) return result;
        foreach (string item in list.Split(' ', System.StringSplitOptions.RemoveEmptyEntries))
        {
            if (item.Contains('/'))
            {
                var net = Ipv4Network.Parse(item, what + " entry");
                result.Add((net.Network, net.PrefixLength));
            }
            else
            {
                result.Add((Ipv4.Parse(item, what + " entry"), 32));
            }
        }
        if (list.Length > 0 && result.Count == 0 || list.Contains('\n') || list.Contains('\t'))
            throw new InvalidInputException(what + " " + Quote.Value(list) + " is not a space-separated list of IPv4 addresses");
        return result;
    }

    /// <summary>dom0's address: the first primary IPv4 address of <paramref name="netdev"/>.</summary>
    public IPAddress Dom0Address(string netdev)
    {
        var link = _nl.LinkByName(netdev)
            ?? throw new GntComException("netdev " + netdev + " does not exist: set netdev= (the vif's gatewaydev) to dom0's routing interface");
        const uint IFA_F_SECONDARY = 0x01;
        var addr = _nl.AddrList(AddressFamily.InterNetwork, link.Index).FirstOrDefault(a => (a.Flags & IFA_F_SECONDARY) == 0)
            ?? throw new GntComException("netdev " + netdev + " has no IPv4 address: bring it up or set netdev= to another interface");
        return addr.Address;
    }

    public void Online(Link vif, IPAddress dom0, List<(IPAddress Address, int PrefixLength)> ips, uint metric, UndoLog undo)
    {
        int index = vif.Index;
        if (!_nl.AddrList(AddressFamily.InterNetwork, index).Any(a => a.Address.Equals(dom0) && a.PrefixLength == 32))
        {
            _nl.AddrAdd(index, dom0, 32);
            undo.Push("address " + dom0 + "/32 on " + vif.Name, () => _nl.AddrDel(index, dom0, 32));
        }
        if (!vif.IsUp)
        {
            _nl.LinkSetUp(index);
            undo.Push("link up " + vif.Name, () => _nl.LinkSetDown(index));
        }
        string proxyArp = Sysctl.InterfaceKey("ipv4", vif.Name, "proxy_arp");
        string old = Sysctl.Read(proxyArp);
        if (old != "1")
        {
            Sysctl.Write(proxyArp, "1");
            undo.Push("proxy_arp on " + vif.Name, () => Sysctl.Write(proxyArp, old));
        }
        foreach (var (address, prefix) in ips)
        {
            var route = GuestRoute(address, prefix, index, dom0, metric);
            try
            {
                _nl.RouteAdd(route);
                undo.Push("route " + route.Describe(vif.Name), () => _nl.RouteDel(route));
            }
            catch (NetlinkException e) when (e.Errno == Errno.EEXIST)
            {
                var present = _nl.RouteList(AddressFamily.InterNetwork).FirstOrDefault(r => r.Table == Rtm.RT_TABLE_MAIN
                    && r.Destination.Equals(address) && r.PrefixLength == prefix && r.Metric == metric);
                if (present?.OutputIndex != index)
                    throw new GntComException("cannot route " + address + "/" + prefix + " to " + vif.Name + ": a route to it already exists on another interface");
            }
        }
    }

    /// <summary>Deletes the guest routes; anything already gone is fine.</summary>
    public void Offline(Link? vif, List<(IPAddress Address, int PrefixLength)> ips, uint metric)
    {
        if (vif == null) return; // the vif is gone, and its routes with it
        foreach (var (address, prefix) in ips)
        {
            try
            {
                _nl.RouteDel(GuestRoute(address, prefix, vif.Index, null, metric));
            }
            catch (NetlinkException e) when (e.Errno is Errno.ESRCH or Errno.ENODEV or Errno.ENOENT)
            {
            }
        }
    }

    private static Route GuestRoute(IPAddress address, int prefix, int index, IPAddress? src, uint metric) => new()
    {
        Destination = address, PrefixLength = prefix, OutputIndex = index, PreferredSource = src,
        Metric = metric, Protocol = Rtm.RTPROT_BOOT, Scope = Rtm.RT_SCOPE_LINK, Table = Rtm.RT_TABLE_MAIN,
    };
}
