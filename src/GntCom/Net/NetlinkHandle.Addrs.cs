using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using GntCom.Interop;
using GntCom.Netlink;

namespace GntCom.Net;

public sealed partial class NetlinkHandle
{
    public const uint AddrNoDad = 0x02;

    /// <summary>ip addr add ADDR/PREFIX dev #INDEX [nodad].</summary>
    public void AddrAdd(int index, IPAddress address, int prefixLength, uint flags = 0) =>
        AddrChange(Rtm.NEWADDR, Nl.F_CREATE | Nl.F_EXCL, index, address, prefixLength, flags, "addr add");

    /// <summary>ip addr del ADDR/PREFIX dev #INDEX.</summary>
    public void AddrDel(int index, IPAddress address, int prefixLength) =>
        AddrChange(Rtm.DELADDR, 0, index, address, prefixLength, 0, "addr del");

    private void AddrChange(ushort type, ushort flags, int index, IPAddress address, int prefixLength, uint ifaFlags, string verb)
    {
        byte[] bytes = address.GetAddressBytes();
        var msg = new NetlinkMessage(type, flags).Header(new IfAddrMsg
        {
            Family = FamilyByte(address.AddressFamily),
            PrefixLen = (byte)prefixLength,
            Flags = (byte)(ifaFlags & 0xff),
            Scope = (byte)RouteScope.Universe,
            Index = index,
        });
        msg.Attr(Rtm.IFA_LOCAL, bytes).Attr(Rtm.IFA_ADDRESS, bytes);
        if (ifaFlags > 0xff) msg.AttrU32(Rtm.IFA_FLAGS, ifaFlags);
        _sock.Execute(msg, verb + " " + address + "/" + prefixLength + " dev #" + index);
    }

    /// <summary>ip addr show [dev #INDEX]: addresses of one family (the kernel filters by interface).</summary>
    public List<Addr> AddrList(AddressFamily family, int? index = null)
    {
        var list = new List<Addr>();
        byte fam = FamilyByte(family);
        var msg = new NetlinkMessage(Rtm.GETADDR, Nl.F_DUMP).Header(new IfAddrMsg { Family = fam, Index = index ?? 0 });
        _sock.Query(msg, "addr show", (type, payload) =>
        {
            if (type != Rtm.NEWADDR) return;
            var attrs = NetlinkAttributeReader.After(payload, out IfAddrMsg ifa);
            if (ifa.Family != fam || (index != null && ifa.Index != index)) return;
            IPAddress? local = null, addr = null;
            uint flags = ifa.Flags;
            foreach (var a in new NetlinkAttributeReader(attrs))
            {
                if (a.Type == Rtm.IFA_LOCAL) local = new IPAddress(a.Payload);
                else if (a.Type == Rtm.IFA_ADDRESS) addr = new IPAddress(a.Payload);
                else if (a.Type == Rtm.IFA_FLAGS && a.Payload.Length >= 4) flags = a.U32;
            }
            var ip = local ?? addr;
            if (ip != null) list.Add(new Addr(ifa.Index, ip, ifa.PrefixLen, ifa.Scope, flags));
        });
        return list;
    }
}
