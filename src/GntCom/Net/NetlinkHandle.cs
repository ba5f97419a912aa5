using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using GntCom.Interop;
using GntCom.Netlink;

namespace GntCom.Net;

/// <summary>
/// The rtnetlink operations GntCom needs, named like the `ip` commands they match.
/// One socket per handle, in the network namespace of the thread that opened it.
/// Failures throw <see cref="NetlinkException"/> describing the operation in `ip` terms.
/// </summary>
public sealed class NetlinkHandle : IDisposable
{
    private readonly NetlinkSocket _sock;

    private NetlinkHandle(NetlinkSocket sock) => _sock = sock;

    public static NetlinkHandle Open() => new(NetlinkSocket.Open());

    public void Dispose() => _sock.Dispose();

    // ---- links ----------------------------------------------------------------

    /// <summary>ip link show NAME; null when there is no such interface.</summary>
    public Link? LinkByName(string name)
    {
        var msg = new NetlinkMessage(Rtm.GETLINK, 0).Header(new IfInfoMsg()).AttrString(Rtm.IFLA_IFNAME, name);
        return GetLink(msg, "link show " + name);
    }

    /// <summary>The interface with ifindex <paramref name="index"/>; null when there is none.</summary>
    public Link? LinkByIndex(int index)
    {
        var msg = new NetlinkMessage(Rtm.GETLINK, 0).Header(new IfInfoMsg { Index = index });
        return GetLink(msg, "link show index " + index);
    }

    private Link? GetLink(NetlinkMessage msg, string op)
    {
        Link? found = null;
        try
        {
            _sock.Query(msg, op, (type, payload) => { if (type == Rtm.NEWLINK) found = ParseLink(payload); });
        }
        catch (NetlinkException e) when (e.Errno == Errno.ENODEV)
        {
            return null;
        }
        return found;
    }

    /// <summary>ip link show: every interface of the namespace.</summary>
    public List<Link> LinkList()
    {
        var links = new List<Link>();
        var msg = new NetlinkMessage(Rtm.GETLINK, Nl.F_DUMP).Header(new IfInfoMsg());
        _sock.Query(msg, "link show", (type, payload) => { if (type == Rtm.NEWLINK) links.Add(ParseLink(payload)); });
        return links;
    }

    /// <summary>ip link set dev #INDEX name NAME (the link must be down).</summary>
    public void LinkSetName(int index, string name)
    {
        var msg = new NetlinkMessage(Rtm.NEWLINK, 0).Header(new IfInfoMsg { Index = index })
            .AttrString(Rtm.IFLA_IFNAME, name);
        _sock.Execute(msg, "link set dev #" + index + " name " + name);
    }

    /// <summary>ip link set dev #INDEX up.</summary>
    public void LinkSetUp(int index) => SetFlags(index, Rtm.IFF_UP, Rtm.IFF_UP, "up");

    /// <summary>ip link set dev #INDEX down.</summary>
    public void LinkSetDown(int index) => SetFlags(index, 0, Rtm.IFF_UP, "down");

    private void SetFlags(int index, uint flags, uint change, string what)
    {
        var msg = new NetlinkMessage(Rtm.NEWLINK, 0)
            .Header(new IfInfoMsg { Index = index, Flags = flags, Change = change });
        _sock.Execute(msg, "link set dev #" + index + " " + what);
    }

    private static Link ParseLink(ReadOnlySpan<byte> payload)
    {
        var attrs = NetlinkAttributeReader.After(payload, out IfInfoMsg ifi);
        string name = "";
        string? mac = null, kind = null;
        int mtu = 0;
        foreach (var a in new NetlinkAttributeReader(attrs))
        {
            switch (a.Type)
            {
                case Rtm.IFLA_IFNAME: name = a.String; break;
                case Rtm.IFLA_MTU: mtu = (int)a.U32; break;
                case Rtm.IFLA_ADDRESS:
                    if (a.Payload.Length == 6) mac = Inputs.MacAddress.Format(a.Payload);
                    break;
                case Rtm.IFLA_LINKINFO:
                    foreach (var n in a.Nested)
                        if (n.Type == Rtm.IFLA_INFO_KIND) kind = n.String;
                    break;
            }
        }
        return new Link(ifi.Index, name, ifi.Flags, mac, mtu, kind);
    }

    // ---- addresses ------------------------------------------------------------

    /// <summary>ip addr add ADDR/PREFIX dev #INDEX [nodad noprefixroute].</summary>
    public void AddrAdd(int index, IPAddress address, int prefixLength, uint flags = 0) =>
        AddrChange(Rtm.NEWADDR, Nl.F_CREATE | Nl.F_EXCL, index, address, prefixLength, flags, "addr add");

    /// <summary>ip addr del ADDR/PREFIX dev #INDEX.</summary>
    public void AddrDel(int index, IPAddress address, int prefixLength) =>
        AddrChange(Rtm.DELADDR, 0, index, address, prefixLength, 0, "addr del");

    private void AddrChange(ushort type, ushort flags, int index, IPAddress address, int prefixLength, uint ifaFlags, string verb)
    {
        byte[] bytes = address.GetAddressBytes();
        bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
        var msg = new NetlinkMessage(type, flags).Header(new IfAddrMsg
        {
            Family = (byte)(v4 ? Libc.AF_INET : Libc.AF_INET6),
            PrefixLen = (byte)prefixLength,
            Flags = (byte)(ifaFlags & 0xff),
            Scope = Rtm.RT_SCOPE_UNIVERSE,
            Index = index,
        });
        msg.Attr(Rtm.IFA_LOCAL, bytes).Attr(Rtm.IFA_ADDRESS, bytes);
        if (ifaFlags > 0xff) msg.AttrU32(Rtm.IFA_FLAGS, ifaFlags);
        _sock.Execute(msg, verb + " " + address + "/" + prefixLength + " dev #" + index);
    }

    /// <summary>ip addr show [dev #INDEX]: addresses of one family.</summary>
    public List<Addr> AddrList(AddressFamily family, int? index = null)
    {
        var list = new List<Addr>();
        var msg = new NetlinkMessage(Rtm.GETADDR, Nl.F_DUMP).Header(new IfAddrMsg { Family = FamilyByte(family) });
        _sock.Query(msg, "addr show", (type, payload) =>
        {
            if (type != Rtm.NEWADDR) return;
            var attrs = NetlinkAttributeReader.After(payload, out IfAddrMsg ifa);
            if (ifa.Family != FamilyByte(family) || (index != null && ifa.Index != index)) return;
            IPAddress? local = null, addr = null;
            uint flags = ifa.Flags;
            foreach (var a in new NetlinkAttributeReader(attrs))
            {
                if (a.Type == Rtm.IFA_LOCAL) local = new IPAddress(a.Payload);
                else if (a.Type == Rtm.IFA_ADDRESS) addr = new IPAddress(a.Payload);
                else if (a.Type == Rtm.IFA_FLAGS) flags = a.U32;
            }
            var ip = local ?? addr;
            if (ip != null) list.Add(new Addr(ifa.Index, ip, ifa.PrefixLen, ifa.Scope, flags));
        });
        return list;
    }

    // ---- routes ---------------------------------------------------------------

    /// <summary>ip route add ROUTE (fails with EEXIST when it is there already).</summary>
    public void RouteAdd(Route route) =>
        RouteChange(Rtm.NEWROUTE, Nl.F_CREATE | Nl.F_EXCL, route, "route add");

    /// <summary>ip route replace ROUTE.</summary>
    public void RouteReplace(Route route) =>
        RouteChange(Rtm.NEWROUTE, Nl.F_CREATE | Nl.F_REPLACE, route, "route replace");

    /// <summary>ip route del ROUTE.</summary>
    public void RouteDel(Route route) => RouteChange(Rtm.DELROUTE, 0, route, "route del");

    private void RouteChange(ushort type, ushort flags, Route r, string verb)
    {
        var msg = new NetlinkMessage(type, flags).Header(new RtMsg
        {
            Family = FamilyByte(r.Destination.AddressFamily),
            DstLen = (byte)r.PrefixLength,
            Table = r.Table < 256 ? (byte)r.Table : Rtm.RT_TABLE_UNSPEC,
            Protocol = type == Rtm.DELROUTE ? (byte)0 : r.Protocol,
            Scope = type == Rtm.DELROUTE ? (byte)255 /* RT_SCOPE_NOWHERE: match any */ : r.Scope,
            Type = type == Rtm.DELROUTE ? (byte)0 /* RTN_UNSPEC: match any */ : r.Type,
        });
        msg.Attr(Rtm.RTA_DST, r.Destination.GetAddressBytes());
        if (r.OutputIndex is int oif) msg.AttrU32(Rtm.RTA_OIF, (uint)oif);
        if (r.Gateway != null) msg.Attr(Rtm.RTA_GATEWAY, r.Gateway.GetAddressBytes());
        if (r.PreferredSource != null) msg.Attr(Rtm.RTA_PREFSRC, r.PreferredSource.GetAddressBytes());
        if (r.Metric is uint metric) msg.AttrU32(Rtm.RTA_PRIORITY, metric);
        msg.AttrU32(Rtm.RTA_TABLE, r.Table);
        _sock.Execute(msg, verb + " " + r.Describe());
    }

    /// <summary>ip route show table all: the routes of one family, every table.</summary>
    public List<Route> RouteList(AddressFamily family)
    {
        var list = new List<Route>();
        byte fam = FamilyByte(family);
        var msg = new NetlinkMessage(Rtm.GETROUTE, Nl.F_DUMP).Header(new RtMsg { Family = fam });
        _sock.Query(msg, "route show", (type, payload) =>
        {
            if (type != Rtm.NEWROUTE) return;
            var attrs = NetlinkAttributeReader.After(payload, out RtMsg rtm);
            if (rtm.Family != fam) return;
            uint table = rtm.Table;
            IPAddress? dst = null, gw = null, src = null;
            int? oif = null;
            uint? metric = null;
            foreach (var a in new NetlinkAttributeReader(attrs))
            {
                switch (a.Type)
                {
                    case Rtm.RTA_DST: dst = new IPAddress(a.Payload); break;
                    case Rtm.RTA_OIF: oif = (int)a.U32; break;
                    case Rtm.RTA_GATEWAY: gw = new IPAddress(a.Payload); break;
                    case Rtm.RTA_PREFSRC: src = new IPAddress(a.Payload); break;
                    case Rtm.RTA_PRIORITY: metric = a.U32; break;
                    case Rtm.RTA_TABLE: table = a.U32; break;
                }
            }
            dst ??= fam == Libc.AF_INET ? IPAddress.Any : IPAddress.IPv6Any;
            list.Add(new Route
            {
                Destination = dst, PrefixLength = rtm.DstLen, OutputIndex = oif, Gateway = gw,
                PreferredSource = src, Metric = metric, Table = table, Protocol = rtm.Protocol,
                Scope = rtm.Scope, Type = rtm.Type,
            });
        });
        return list;
    }

    // ---- rules ----------------------------------------------------------------

    /// <summary>ip rule add RULE.</summary>
    public void RuleAdd(Rule rule) => RuleChange(Rtm.NEWRULE, Nl.F_CREATE | Nl.F_EXCL, rule, "rule add");

    /// <summary>ip rule del RULE.</summary>
    public void RuleDel(Rule rule) => RuleChange(Rtm.DELRULE, 0, rule, "rule del");

    private void RuleChange(ushort type, ushort flags, Rule r, string verb)
    {
        var msg = new NetlinkMessage(type, flags).Header(new FibRuleHdr
        {
            Family = FamilyByte(r.Family),
            Table = r.Table < 256 ? (byte)r.Table : Rtm.RT_TABLE_UNSPEC,
            Action = Rtm.FR_ACT_TO_TBL,
        });
        msg.AttrU32(Rtm.FRA_PRIORITY, r.Priority);
        msg.AttrU32(Rtm.FRA_TABLE, r.Table);
        if (r.InputInterface != null) msg.AttrString(Rtm.FRA_IIFNAME, r.InputInterface);
        _sock.Execute(msg, verb + " " + r);
    }

    /// <summary>ip rule show: the rules of one family.</summary>
    public List<Rule> RuleList(AddressFamily family)
    {
        var list = new List<Rule>();
        byte fam = FamilyByte(family);
        var msg = new NetlinkMessage(Rtm.GETRULE, Nl.F_DUMP).Header(new FibRuleHdr { Family = fam });
        _sock.Query(msg, "rule show", (type, payload) =>
        {
            if (type != Rtm.NEWRULE) return;
            var attrs = NetlinkAttributeReader.After(payload, out FibRuleHdr hdr);
            if (hdr.Family != fam) return;
            uint priority = 0, table = hdr.Table;
            string? iif = null;
            foreach (var a in new NetlinkAttributeReader(attrs))
            {
                if (a.Type == Rtm.FRA_PRIORITY) priority = a.U32;
                else if (a.Type == Rtm.FRA_TABLE) table = a.U32;
                else if (a.Type == Rtm.FRA_IIFNAME) iif = a.String;
            }
            list.Add(new Rule(family, priority, iif, table));
        });
        return list;
    }

    private static byte FamilyByte(AddressFamily family) =>
        family == AddressFamily.InterNetwork ? (byte)Libc.AF_INET : (byte)Libc.AF_INET6;
}
