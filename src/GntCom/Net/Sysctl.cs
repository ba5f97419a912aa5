using System;
using System.Text;
using GntCom.Interop;

namespace GntCom.Net;

/// <summary>
/// Per-interface sysctls, written under /proc/sys directly: interface names contain dots,
/// which the sysctl(8) dotted syntax cannot express. /proc/sys/net shows the network
/// namespace of the calling thread.
/// </summary>
public static unsafe class Sysctl
{
    public const string Root = "/proc/sys/";

    /// <summary>"net/ipv4/conf/IF/KEY" for an already validated interface name.</summary>
    public static string InterfaceKey(string family, string ifname, string key) =>
        "net/" + family + "/conf/" + ifname + "/" + key;

    /// <summary>Whether the key exists (IPv6 may be compiled out or disabled at boot).</summary>
    public static bool Exists(string key) => Libc.FStatAt(Libc.AT_FDCWD, Root + key, out _, 0) == 0;

    public static string Read(string key)
    {
        int fd = Libc.OpenAt(Libc.AT_FDCWD, Root + key, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new GntComException("cannot read sysctl " + key + ": " + Cause(Libc.Errno));
        try
        {
            byte* buf = stackalloc byte[64];
            nint n = Libc.Read(fd, buf, 64);
            if (n < 0) throw new GntComException("cannot read sysctl " + key + ": " + Cause(Libc.Errno));
            return Encoding.ASCII.GetString(buf, (int)n).Trim();
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    public static void Write(string key, string value)
    {
        int fd = Libc.OpenAt(Libc.AT_FDCWD, Root + key, Libc.O_WRONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new GntComException("cannot set sysctl " + key + "=" + value + ": " + Cause(Libc.Errno));
        try
        {
            byte[] data = Encoding.ASCII.GetBytes(value + "\n");
            fixed (byte* p = data)
            {
                if (Libc.Write(fd, p, (nuint)data.Length) < 0)
                    throw new GntComException("cannot set sysctl " + key + "=" + value + ": " + Cause(Libc.Errno));
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private static string Cause(int errno) => errno switch
    {
        Errno.ENOENT => "no such key (is the interface gone?)",
        Errno.EACCES or Errno.EPERM => "permission denied (run as root)",
        _ => Errno.Describe(errno),
    };
}
