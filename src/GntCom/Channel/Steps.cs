using System.Collections.Generic;
using System.Net;
using GntCom.Net;
using GntCom.Netlink;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// The set-up steps shared by every entry point (channel taps and vifs, routed vifs),
/// each written once: a step reads what is there, writes to the journal what it is about
/// to change and the value before, then changes it. A step that would change nothing
/// writes nothing. <see cref="Rollback"/> reverts a journal exactly.
/// </summary>
internal sealed class Steps
{
    private readonly NetlinkHandle _nl;
    private readonly Journal _journal;

    public Steps(NetlinkHandle nl, Journal journal)
    {
        _nl = nl;
        _journal = journal;
    }

    public Journal Journal => _journal;

    /// <summary>ip link set dev LINK down; ip link set dev LINK name NAME (back up later by <see cref="LinkSetUp"/>).</summary>
    public Link LinkSetName(Link link, string name)
    {
        if (link.Name == name) return link;
        if (_nl.LinkByName(name) != null)
            throw new GntComException("cannot rename " + link.Name + " to " + name + ": another interface already has that name");
        _journal.Add(JournalEntry.Of("rename", link.Index, link.Name, name, link.IsUp));
        if (link.IsUp) _nl.LinkSetDown(link.Index);
        try
        {
            _nl.LinkSetName(link.Index, name);
        }
        catch (NetlinkException e)
        {
            throw new GntComException("cannot rename " + link.Name + " to " + name + ": " + Interop.Errno.Describe(e.Errno));
        }
        return link.WithUp(false) with { Name = name };
    }

    /// <summary>ip link set dev LINK up.</summary>
    public Link LinkSetUp(Link link)
    {
        if (link.IsUp) return link;
        _journal.Add(JournalEntry.Of("linkup", link.Index));
        _nl.LinkSetUp(link.Index);
        return link.WithUp(true);
    }

    /// <summary>ip addr add ADDR/PREFIX dev LINK (when it is not there yet).</summary>
    public void AddrAdd(Link link, IPAddress address, int prefixLength, uint flags = 0)
    {
        foreach (var a in _nl.AddrList(address.AddressFamily, link.Index))
            if (a.Address.Equals(address) && a.PrefixLength == prefixLength) return;
        _journal.Add(JournalEntry.Of("addr", link.Index, address, prefixLength));
        _nl.AddrAdd(link.Index, address, prefixLength, flags);
    }

    /// <summary>
    /// ip route add ROUTE, unless <paramref name="present"/> (the device's routes, read
    /// before) has it already. A route to the same destination via another device is an
    /// error naming that device.
    /// </summary>
    public void RouteAdd(Route route, string device, IReadOnlyList<Route> present)
    {
        foreach (var r in present)
            if (r.Destination.Equals(route.Destination) && r.PrefixLength == route.PrefixLength && r.Metric == route.Metric
                && r.OutputIndex == route.OutputIndex)
                return;
        int index = route.OutputIndex!.Value;
        _journal.Add(JournalEntry.Of("route", route.Destination, route.PrefixLength, index, route.Metric ?? 0));
        try
        {
            _nl.RouteAdd(route);
        }
        catch (NetlinkException e) when (e.IsExists)
        {
            throw new GntComException("cannot route " + route.Destination + "/" + route.PrefixLength + " to " + device
                + ": a route to it already exists via another interface" + OtherDevice(route));
        }
    }

    private string OtherDevice(Route route)
    {
        foreach (var r in _nl.RouteList(route.Destination.AddressFamily, Route.MainTable))
            if (r.Destination.Equals(route.Destination) && r.PrefixLength == route.PrefixLength && r.OutputIndex is int oif)
                return " (" + (_nl.LinkByIndex(oif)?.Name ?? "#" + oif) + ")";
        return "";
    }

    /// <summary>Sets /proc/sys/net/FAMILY/conf/LINK/KEY, remembering the value before.</summary>
    public void SysctlSet(string family, Link link, string key, string value)
    {
        string path = Net.Sysctl.InterfaceKey(family, link.Name, key);
        string old = Net.Sysctl.Read(path);
        if (old == value) return;
        _journal.Add(JournalEntry.Of("sysctl", family, link.Index, key, old));
        Net.Sysctl.Write(path, value);
    }

    /// <summary>ethtool -K LINK tx off, when the driver has it on.</summary>
    public void TxChecksumOff(Link link)
    {
        if (Ethtool.GetTxChecksum(link.Name) != true) return;
        _journal.Add(JournalEntry.Of("txcsum", link.Index));
        Ethtool.SetTxChecksum(link.Name, false);
    }
}
