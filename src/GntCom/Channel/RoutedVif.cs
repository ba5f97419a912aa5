using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using GntCom.Hooks;
using GntCom.Inputs;
using GntCom.Journaling;
using GntCom.Logging;
using GntCom.Net;

namespace GntCom.Channel;

/// <summary>
/// A routed vif, as Xen's vif-route sets it up: dom0's address (first primary IPv4 of
/// netdev) as /32 on the vif, link up, proxy_arp on, and per guest address or network a
/// route `ADDR dev VIF src DOM0IP metric M` (proto boot, as `ip route add` makes it).
/// Where GntCom differs on purpose: no iptables FORWARD rules (they only match bridged
/// traffic, and firewalling belongs to the admin's hooks), no broadcast address on the
/// /32, and a failed step is undone and reported rather than ignored. The steps are the
/// journal's own, as a channel's.
/// </summary>
internal sealed class RoutedVif
{
    private readonly Node _n;

    public RoutedVif(Node n) => _n = n;

    /// <summary>dom0's address: the first primary IPv4 address of <paramref name="netdev"/>.</summary>
    private IPAddress Dom0Address(string netdev)
    {
        var link = _n.Nl.LinkByName(netdev)
            ?? throw new GntComException("netdev " + netdev + " does not exist: set netdev= (the vif's gatewaydev) to dom0's routing interface");
        var addr = _n.Nl.AddrList(AddressFamily.InterNetwork, link.Index).FirstOrDefault(a => !a.IsSecondary)
            ?? throw new GntComException("netdev " + netdev + " has no IPv4 address: bring it up or set netdev= to another interface");
        return addr.Address;
    }

    /// <summary>Sets the vif up, as one transaction; returns its final name.</summary>
    public string Online(RoutedRequest req)
    {
        var dom0 = Dom0Address(req.Netdev);
        var vif = _n.Nl.LinkByName(req.Interface)
            ?? (req.DesiredName != null ? _n.Nl.LinkByName(req.DesiredName) : null)
            ?? throw new GntComException("interface " + Quote.Value(req.Interface) + " does not exist");
        using var tx = Transaction.Begin(_n, "routed-" + vif.Index, new RoutedHeader(vif.Index, vif.Name), HookCaller.Caller());
        tx.Run(() =>
        {
            // A vif that is down carries no IPv4 route (the kernel flushes them): no dump of a
            // main table that may hold a route per guest.
            var present = vif.IsUp ? _n.Nl.RouteList(AddressFamily.InterNetwork, Route.MainTable, vif.Index) : new List<Route>();
            if (req.DesiredName != null) vif = RenameStep.Do(tx, vif, req.DesiredName);
            AddrStep.Do(tx, vif, dom0, 32);
            vif = LinkUpStep.Do(tx, vif);
            SysctlStep.Do(tx, "ipv4", vif, "proxy_arp", "1");
            foreach (var (address, prefix) in req.Addresses)
                RouteStep.Do(tx, GuestRoute(address, prefix, vif.Index, dom0, req.Metric), vif.Name, present);
        });
        Log.Info("online routed " + vif.Name + (vif.Name != req.Interface ? " (was " + req.Interface + ")" : "") + " src " + dom0
            + " ip " + (req.Addresses.Count == 0 ? "(none)" : string.Join(" ", req.Addresses.Select(i => i.Address + "/" + i.PrefixLength))));
        return vif.Name;
    }

    /// <summary>Deletes the guest routes; anything already gone is fine (the vif gone, its routes went with it).</summary>
    public void Offline(RoutedRequest req)
    {
        var vif = (req.DesiredName != null ? _n.Nl.LinkByName(req.DesiredName) : null) ?? _n.Nl.LinkByName(req.Interface);
        if (vif != null)
        {
            foreach (var (address, prefix) in req.Addresses)
            {
                var route = GuestRoute(address, prefix, vif.Index, null, req.Metric);
                NetlinkHandle.IgnoreNotFound(() => _n.Nl.RouteDel(route));
            }
        }
        Log.Info("offline routed " + (vif?.Name ?? req.Interface) + ": routes removed");
    }

    private static Route GuestRoute(IPAddress address, int prefix, int index, IPAddress? src, uint metric) => new()
    {
        Destination = address, PrefixLength = prefix, OutputIndex = index, PreferredSource = src,
        Metric = metric, Protocol = RouteProtocol.Boot, Scope = RouteScope.Link, Table = Route.MainTable,
    };
}
