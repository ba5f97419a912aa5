using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Net;
using System.Runtime.InteropServices;
using GntCom.Interop;
using GntCom.Netlink;

namespace GntCom.Net;

/// <summary>A UDP socket of this network namespace: where it is bound (address, port, device; 0: any) and its inode.</summary>
public sealed record UdpSocket(IPAddress Local, int Port, int BoundIndex, ulong Inode);

/// <summary>
/// The kernel's socket tables through sock_diag (what `ss` reads): unlike /proc/net/udp,
/// it says which device a socket is bound to (SO_BINDTODEVICE).
/// </summary>
public static class SockDiag
{
    /// <summary>ss -u -a -4 sport = PORT: the IPv4 UDP sockets bound to local port <paramref name="port"/>.</summary>
    public static unsafe List<UdpSocket> UdpList(int port)
    {
        var found = new List<UdpSocket>();
        using var sock = NetlinkSocket.Open(Diag.NETLINK_SOCK_DIAG);
        var req = new InetDiagReqV2 { Family = (byte)Libc.AF_INET, Protocol = Diag.IPPROTO_UDP, States = Diag.AllStates };
        var msg = new NetlinkMessage(Diag.SOCK_DIAG_BY_FAMILY, Nl.F_DUMP).Header(req);
        sock.Query(msg, "ss -u -a -4", (type, payload) =>
        {
            if (type != Diag.SOCK_DIAG_BY_FAMILY || payload.Length < Marshal.SizeOf<InetDiagMsg>()) return;
            var m = MemoryMarshal.Read<InetDiagMsg>(payload);
            int sport = BinaryPrimitives.ReverseEndianness(m.Id.SourcePort);
            if (sport != port) return;
            var local = new IPAddress(m.Id.Source[0]);
            found.Add(new UdpSocket(local, sport, (int)m.Id.Interface, m.Inode));
        });
        return found;
    }
}
