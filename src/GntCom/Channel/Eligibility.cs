using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using GntCom.Inputs;
using GntCom.Net;

namespace GntCom.Channel;

/// <summary>
/// What may become a channel interface: only an interface a hypervisor created for one
/// guest (a tap: the tun driver in tap mode; a Xen netback vif: driver "vif"; a veth whose
/// peer lives in another network namespace: a container, or the tests' stand-in for
/// netback), that is no port of a bridge or bond and carries no address or route of its
/// own other than the channel's. Anything else is refused before anything is changed,
/// with one line saying what the interface is.
/// </summary>
internal static class Eligibility
{
    /// <summary>
    /// Throws when <paramref name="link"/> may not become (or stay) a channel interface;
    /// otherwise returns its main-table IPv4 routes, which the caller's route step uses.
    /// <paramref name="guestIp"/>: the guest route GntCom itself puts there (already there on a re-run).
    /// </summary>
    public static List<Route> Check(Node n, Link link, IPAddress? guestIp, bool upByUs = false)
    {
        string? what = Describe(link);
        if (what != null) throw Refuse(link, what);
        if (link.Master is int master)
            throw Refuse(link, "a port of " + (n.Nl.LinkByIndex(master)?.Name ?? "#" + master) + " (a bridge or bond)");

        foreach (var a in n.Nl.AddrList(AddressFamily.InterNetwork, link.Index))
            if (!(a.Address.Equals(n.Cfg.Address) && a.PrefixLength == 32))
                throw Refuse(link, "an interface with an address of its own (" + a + ")");
        foreach (var a in n.Nl.AddrList(AddressFamily.InterNetworkV6, link.Index))
            if (!a.Address.IsIPv6LinkLocal)
                throw Refuse(link, "an interface with an address of its own (" + a + ")");

        // The kernel keeps no IPv4 route through an interface that is down (it flushes them
        // when it goes down, and refuses new ones): a hypervisor's fresh tap, or a vif that
        // vif-gnt-com itself just brought up (<paramref name="upByUs"/>), needs no dump of
        // the main table, whose size grows with the number of guests.
        var routes = link.IsUp && !upByUs ? n.Nl.RouteList(AddressFamily.InterNetwork, Route.MainTable, link.Index) : new List<Route>();
        foreach (var r in routes)
            if (!(guestIp != null && r.PrefixLength == 32 && r.Destination.Equals(guestIp)))
                throw Refuse(link, "an interface that routes " + r.Destination + "/" + r.PrefixLength);
        return routes;
    }

    /// <summary>What the interface is, when it is not one a hypervisor made for a guest; null when it is.</summary>
    public static string? Describe(Link link)
    {
        if (link.IsLoopback) return "the loopback interface";
        switch (link.Kind)
        {
            case "tun":
                return link.TunMode == TunMode.Tun ? "a tun device (layer 3), not a tap" : null;
            case "veth":
                return link.LinkNetnsId != null ? null : "a veth pair with both ends on this host, not a guest's";
            case null:
                string? driver = Ethtool.Driver(link.Name);
                return driver switch
                {
                    "vif" => null, // Xen's netback (no rtnetlink kind)
                    null => "an interface without a driver GntCom knows",
                    _ => "a network card (driver " + driver + ")",
                };
            default:
                return ("aeiou".Contains(link.Kind[0]) ? "an " : "a ") + link.Kind + " interface";
        }
    }

    private static GntComException Refuse(Link link, string what) =>
        new(Quote.Value(link.Name) + " is " + what + ": only a guest's tap, Xen vif or a veth into a guest's namespace can become a channel interface; nothing was changed");
}
