using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using GntCom.Interop;
using GntCom.Netlink;

namespace GntCom.Net;

public sealed partial class NetlinkHandle
{
    /// <summary>ip route add ROUTE (fails with EEXIST when it is there already).</summary>
    public void RouteAdd(Route route) => RouteChange(Rtm.NEWROUTE, Nl.F_CREATE | Nl.F_EXCL, route, "route add");

    /// <summary>ip route replace ROUTE.</summary>
    public void RouteReplace(Route route) => RouteChange(Rtm.NEWROUTE, Nl.F_CREATE | Nl.F_REPLACE, route, "route replace");

    /// <summary>ip route del ROUTE (matched by destination, table, device and metric).</summary>
    public void RouteDel(Route route) => RouteChange(Rtm.DELROUTE, 0, route, "route del");

    private void RouteChange(ushort type, ushort flags, Route r, string verb)
    {
        bool del = type == Rtm.DELROUTE;
        var msg = new NetlinkMessage(type, flags).Header(new RtMsg
        {
            Family = FamilyByte(r.Destination.AddressFamily),
            DstLen = (byte)r.PrefixLength,
            Table = r.Table < 256 ? (byte)r.Table : Rtm.RT_TABLE_UNSPEC,
            Protocol = del ? (byte)RouteProtocol.Unspec : (byte)r.Protocol,
            Scope = del ? (byte)RouteScope.Nowhere /* match any */ : (byte)r.Scope,
            Type = del ? (byte)RouteType.Unspec /* match any */ : (byte)r.Type,
        });
        msg.Attr(Rtm.RTA_DST, r.Destination.GetAddressBytes());
        if (r.OutputIndex is int oif) msg.AttrU32(Rtm.RTA_OIF, (uint)oif);
        if (r.Gateway != null) msg.Attr(Rtm.RTA_GATEWAY, r.Gateway.GetAddressBytes());
        if (r.PreferredSource != null) msg.Attr(Rtm.RTA_PREFSRC, r.PreferredSource.GetAddressBytes());
        if (r.Metric is uint metric) msg.AttrU32(Rtm.RTA_PRIORITY, metric);
        msg.AttrU32(Rtm.RTA_TABLE, r.Table);
        _sock.Execute(msg, verb + " " + r.Describe());
    }

    /// <summary>
    /// ip route show [table T] [dev #OIF]: the routes of one family. With a table or an
    /// output interface the kernel filters the dump itself; with neither, every table.
    /// </summary>
    public List<Route> RouteList(AddressFamily family, uint? table = null, int? outputIndex = null)
    {
        var list = new List<Route>();
        byte fam = FamilyByte(family);
        var msg = new NetlinkMessage(Rtm.GETROUTE, Nl.F_DUMP).Header(new RtMsg
        {
            Family = fam,
            Table = table is uint t && t < 256 ? (byte)t : Rtm.RT_TABLE_UNSPEC,
        });
        if (table != null) msg.AttrU32(Rtm.RTA_TABLE, table.Value);
        if (outputIndex != null) msg.AttrU32(Rtm.RTA_OIF, (uint)outputIndex.Value);
        _sock.Query(msg, "route show", (type, payload) =>
        {
            if (type != Rtm.NEWROUTE) return;
            var attrs = NetlinkAttributeReader.After(payload, out RtMsg rtm);
            if (rtm.Family != fam) return;
            uint tbl = rtm.Table;
            IPAddress? dst = null, gw = null, src = null;
            int? oif = null;
            uint? metric = null;
            foreach (var a in new NetlinkAttributeReader(attrs))
            {
                switch (a.Type)
                {
                    case Rtm.RTA_DST: dst = new IPAddress(a.Payload); break;
                    case Rtm.RTA_OIF when a.Payload.Length >= 4: oif = (int)a.U32; break;
                    case Rtm.RTA_GATEWAY: gw = new IPAddress(a.Payload); break;
                    case Rtm.RTA_PREFSRC: src = new IPAddress(a.Payload); break;
                    case Rtm.RTA_PRIORITY when a.Payload.Length >= 4: metric = a.U32; break;
                    case Rtm.RTA_TABLE when a.Payload.Length >= 4: tbl = a.U32; break;
                }
            }
            // Older kernels ignore the filters: apply them here too.
            if (table != null && tbl != table) return;
            if (outputIndex != null && oif != outputIndex) return;
            dst ??= fam == Libc.AF_INET ? IPAddress.Any : IPAddress.IPv6Any;
            list.Add(new Route
            {
                Destination = dst, PrefixLength = rtm.DstLen, OutputIndex = oif, Gateway = gw,
                PreferredSource = src, Metric = metric, Table = tbl, Protocol = (RouteProtocol)rtm.Protocol,
                Scope = (RouteScope)rtm.Scope, Type = (RouteType)rtm.Type,
            });
        });
        return list;
    }
}
