using System;
using System.Collections.Generic;
using GntCom.Interop;
using GntCom.Netlink;

namespace GntCom.Net;

public sealed partial class NetlinkHandle
{
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

    /// <summary>ip link show: every interface of the namespace (for status, check and repair).</summary>
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

    /// <summary>ip link set dev #INDEX address MAC.</summary>
    public void LinkSetAddress(int index, string mac)
    {
        Span<byte> b = stackalloc byte[6];
        Inputs.MacAddress.ToBytes(mac, b);
        var msg = new NetlinkMessage(Rtm.NEWLINK, 0).Header(new IfInfoMsg { Index = index }).Attr(Rtm.IFLA_ADDRESS, b);
        _sock.Execute(msg, "link set dev #" + index + " address " + mac);
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

    internal static Link ParseLink(ReadOnlySpan<byte> payload)
    {
        var attrs = NetlinkAttributeReader.After(payload, out IfInfoMsg ifi);
        string name = "";
        string? mac = null, kind = null;
        int mtu = 0;
        int? master = null, netnsid = null;
        var tun = TunMode.Unknown;
        foreach (var a in new NetlinkAttributeReader(attrs))
        {
            switch (a.Type)
            {
                case Rtm.IFLA_IFNAME: name = a.String; break;
                case Rtm.IFLA_MTU when a.Payload.Length >= 4: mtu = (int)a.U32; break;
                case Rtm.IFLA_MASTER when a.Payload.Length >= 4: master = (int)a.U32; break;
                case Rtm.IFLA_LINK_NETNSID when a.Payload.Length >= 4: netnsid = (int)a.U32; break;
                case Rtm.IFLA_ADDRESS:
                    if (a.Payload.Length == 6) mac = Inputs.MacAddress.Format(a.Payload);
                    break;
                case Rtm.IFLA_LINKINFO:
                    foreach (var n in a.Nested)
                    {
                        if (n.Type == Rtm.IFLA_INFO_KIND) kind = n.String;
                        else if (n.Type == Rtm.IFLA_INFO_DATA)
                            foreach (var d in n.Nested)
                                if (d.Type == Rtm.IFLA_TUN_TYPE && d.Payload.Length >= 1) tun = (TunMode)d.U8;
                    }
                    break;
            }
        }
        return new Link(ifi.Index, name, ifi.Flags)
        {
            Mac = mac, Mtu = mtu, Kind = kind, Master = master, LinkNetnsId = netnsid,
            TunMode = kind == "tun" ? tun : TunMode.Unknown,
        };
    }
}
