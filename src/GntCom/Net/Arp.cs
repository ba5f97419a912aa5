using System;
using System.Net;
using System.Runtime.InteropServices;
using GntCom.Interop;

namespace GntCom.Net;

/// <summary>
/// Gratuitous ARP: an ARP request for our own address, broadcast on one link, which tells
/// the hosts there that the address is at our MAC. A Linux guest updates the neighbour
/// entry it has for the address (it creates none: arp_accept=0), so a guest that cached
/// another MAC for 169.254.169.254 (its host side changed MAC, or it arrived from another
/// node) reaches the host at once instead of after its entry times out.
/// </summary>
public static unsafe class Arp
{
    private const int AF_PACKET = 17;
    private const ushort ETH_P_ARP = 0x0806;

    /// <summary>struct sockaddr_ll.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int IfIndex;
        public ushort HaType;
        public byte PktType;
        public byte HaLen;
        public fixed byte Addr[8];
    }

    /// <summary>Broadcasts one gratuitous ARP request for <paramref name="ip"/> at <paramref name="mac"/> on link <paramref name="ifindex"/>; the errno on failure, 0 when sent.</summary>
    public static int Announce(int ifindex, string mac, IPAddress ip)
    {
        Span<byte> frame = stackalloc byte[28];
        frame[1] = 1;                            // hardware: Ethernet
        frame[2] = 0x08;                         // protocol: IPv4
        frame[4] = 6;                            // hardware address length
        frame[5] = 4;                            // protocol address length
        frame[7] = 1;                            // operation: request
        Inputs.MacAddress.ToBytes(mac, frame.Slice(8, 6)); // sender MAC
        ip.TryWriteBytes(frame.Slice(14, 4), out _); // sender IP
        ip.TryWriteBytes(frame.Slice(24, 4), out _); // target IP (the same: gratuitous); target MAC stays zero
        // Protocol 0: the socket receives nothing; the frame's type comes from the address.
        int fd = Libc.Socket(AF_PACKET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) return Libc.Errno;
        try
        {
            var to = new SockaddrLl
            {
                Family = AF_PACKET, Protocol = (ushort)IPAddress.HostToNetworkOrder((short)ETH_P_ARP), IfIndex = ifindex, HaLen = 6,
            };
            for (int i = 0; i < 6; i++) to.Addr[i] = 0xff;
            fixed (byte* p = frame)
                return Libc.SendTo(fd, p, (nuint)frame.Length, 0, &to, sizeof(SockaddrLl)) < 0 ? Libc.Errno : 0;
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
