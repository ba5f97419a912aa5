using System.Runtime.InteropServices;

namespace GntCom.Netlink;

// The fixed-size headers of netlink messages, laid out as the kernel's structs.

[StructLayout(LayoutKind.Sequential)]
internal struct NlMsgHdr
{
    public uint Len;
    public ushort Type;
    public ushort Flags;
    public uint Seq;
    public uint Pid;
}

[StructLayout(LayoutKind.Sequential)]
internal struct IfInfoMsg
{
    public byte Family;
    public byte Pad;
    public ushort Type;
    public int Index;
    public uint Flags;
    public uint Change;
}

[StructLayout(LayoutKind.Sequential)]
internal struct IfAddrMsg
{
    public byte Family;
    public byte PrefixLen;
    public byte Flags;
    public byte Scope;
    public int Index;
}

[StructLayout(LayoutKind.Sequential)]
internal struct RtMsg
{
    public byte Family;
    public byte DstLen;
    public byte SrcLen;
    public byte Tos;
    public byte Table;
    public byte Protocol;
    public byte Scope;
    public byte Type;
    public uint Flags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SockAddrNl
{
    public ushort Family;
    public ushort Pad;
    public uint Pid;
    public uint Groups;
}

[StructLayout(LayoutKind.Sequential)]
internal struct FibRuleHdr
{
    public byte Family;
    public byte DstLen;
    public byte SrcLen;
    public byte Tos;
    public byte Table;
    public byte Res1;
    public byte Res2;
    public byte Action;
    public uint Flags;
}
