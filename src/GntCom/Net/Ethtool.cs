using System;
using System.Runtime.InteropServices;
using System.Text;
using GntCom.Interop;

namespace GntCom.Net;

/// <summary>
/// The SIOCETHTOOL calls GntCom needs: reading and switching tx checksum offload
/// (what `ethtool -K IF tx off` does). Host-to-Xen-guest UDP otherwise leaves without
/// checksums and guests drop the DHCP replies.
/// </summary>
public static unsafe class Ethtool
{
    private const uint ETHTOOL_GTXCSUM = 0x16;
    private const uint ETHTOOL_STXCSUM = 0x17;

    [StructLayout(LayoutKind.Sequential)]
    private struct EthtoolValue
    {
        public uint Cmd;
        public uint Data;
    }

    [StructLayout(LayoutKind.Sequential, Size = 40)]
    private struct IfReq
    {
        public fixed byte Name[16];
        public void* Data;
    }

    /// <summary>Whether tx checksumming is on; null when the driver has no such setting.</summary>
    public static bool? GetTxChecksum(string ifname)
    {
        var v = new EthtoolValue { Cmd = ETHTOOL_GTXCSUM };
        int errno = Call(ifname, ref v);
        if (errno == Errno.EOPNOTSUPP) return null;
        if (errno != 0) throw new GntComException("ethtool -k " + ifname + ": " + Errno.Describe(errno));
        return v.Data != 0;
    }

    /// <summary>
    /// Switches tx checksumming on or off. Returns false when the driver cannot change it
    /// (EOPNOTSUPP): then there is no offload to turn off.
    /// </summary>
    public static bool SetTxChecksum(string ifname, bool on)
    {
        var v = new EthtoolValue { Cmd = ETHTOOL_STXCSUM, Data = on ? 1u : 0u };
        int errno = Call(ifname, ref v);
        if (errno == Errno.EOPNOTSUPP) return false;
        if (errno != 0) throw new GntComException("ethtool -K " + ifname + " tx " + (on ? "on" : "off") + ": " + Errno.Describe(errno));
        return true;
    }

    private static int Call(string ifname, ref EthtoolValue value)
    {
        int fd = Libc.Socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) return Libc.Errno;
        try
        {
            var req = new IfReq();
            byte[] name = Encoding.ASCII.GetBytes(ifname);
            for (int i = 0; i < name.Length && i < 15; i++) req.Name[i] = name[i];
            fixed (EthtoolValue* p = &value)
            {
                req.Data = p;
                return Libc.Ioctl(fd, Libc.SIOCETHTOOL, &req) < 0 ? Libc.Errno : 0;
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
