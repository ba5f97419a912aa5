using System;
using System.Runtime.InteropServices;
using System.Text;
using GntCom.Interop;

namespace GntCom.Net;

/// <summary>
/// The SIOCETHTOOL calls GntCom needs: reading and switching tx checksum offload
/// (what `ethtool -K IF tx off` does; host-to-Xen-guest UDP otherwise leaves without
/// checksums and guests drop the DHCP replies), and the driver's name (`ethtool -i`),
/// which tells a Xen netback vif from a physical NIC.
/// </summary>
public static unsafe class Ethtool
{
    private const uint ETHTOOL_GDRVINFO = 0x03;
    private const uint ETHTOOL_GTXCSUM = 0x16;
    private const uint ETHTOOL_STXCSUM = 0x17;

    [StructLayout(LayoutKind.Sequential)]
    private struct EthtoolValue
    {
        public uint Cmd;
        public uint Data;
    }

    /// <summary>struct ethtool_drvinfo: cmd, then driver[32], version[32], fw_version[32], bus_info[32], ...</summary>
    [StructLayout(LayoutKind.Sequential, Size = 196)]
    private struct DrvInfo
    {
        public uint Cmd;
        public fixed byte Driver[32];
        public fixed byte Version[32];
        public fixed byte FwVersion[32];
        public fixed byte BusInfo[32];
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
        int errno = Call(ifname, &v);
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
        int errno = Call(ifname, &v);
        if (errno == Errno.EOPNOTSUPP) return false;
        if (errno != 0) throw new GntComException("ethtool -K " + ifname + " tx " + (on ? "on" : "off") + ": " + Errno.Describe(errno));
        return true;
    }

    /// <summary>The driver's name ("tun", "veth", "vif", "e1000e"...), null when the interface has no ethtool driver info.</summary>
    public static string? Driver(string ifname) => DriverInfo(ifname)?.Driver;

    /// <summary>The driver's bus info (a tap: "tap"; a Xen netback vif: "vif-DOM-DEV"), null when there is none.</summary>
    public static string? BusInfo(string ifname) => DriverInfo(ifname)?.BusInfo;

    private static (string Driver, string BusInfo)? DriverInfo(string ifname)
    {
        var info = new DrvInfo { Cmd = ETHTOOL_GDRVINFO };
        if (Call(ifname, &info) != 0) return null;
        return (Text(info.Driver), Text(info.BusInfo));
    }

    private static string Text(byte* field)
    {
        var bytes = new ReadOnlySpan<byte>(field, 32);
        int end = bytes.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? bytes : bytes[..end]);
    }

    private static int Call(string ifname, void* data)
    {
        int fd = Libc.Socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) return Libc.Errno;
        try
        {
            var req = new IfReq();
            byte[] name = Encoding.ASCII.GetBytes(ifname);
            for (int i = 0; i < name.Length && i < 15; i++) req.Name[i] = name[i];
            req.Data = data;
            return Libc.Ioctl(fd, Libc.SIOCETHTOOL, &req) < 0 ? Libc.Errno : 0;
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
