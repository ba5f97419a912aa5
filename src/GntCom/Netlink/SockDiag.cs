using System.Runtime.InteropServices;

namespace GntCom.Netlink;

/// <summary>Constants of the sock_diag netlink protocol (linux/sock_diag.h, linux/inet_diag.h).</summary>
internal static class Diag
{
    public const int NETLINK_SOCK_DIAG = 4;
    public const ushort SOCK_DIAG_BY_FAMILY = 20;
    public const byte IPPROTO_UDP = 17;
    public const uint AllStates = 0xffffffff;
}

/// <summary>struct inet_diag_sockid: ports and addresses in network byte order, the bound device, the cookie.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct InetDiagSockId
{
    public ushort SourcePort;
    public ushort DestinationPort;
    public fixed uint Source[4];
    public fixed uint Destination[4];
    public uint Interface;
    public fixed uint Cookie[2];
}

/// <summary>struct inet_diag_req_v2: which sockets a SOCK_DIAG_BY_FAMILY dump lists.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct InetDiagReqV2
{
    public byte Family;
    public byte Protocol;
    public byte Ext;
    public byte Pad;
    public uint States;
    public InetDiagSockId Id;
}

/// <summary>struct inet_diag_msg: one socket of the dump.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct InetDiagMsg
{
    public byte Family;
    public byte State;
    public byte Timer;
    public byte Retrans;
    public InetDiagSockId Id;
    public uint Expires;
    public uint RQueue;
    public uint WQueue;
    public uint Uid;
    public uint Inode;
}
