using System;

namespace GntCom.Net;

/// <summary>Which network namespace this process runs in.</summary>
public static class NetNamespace
{
    /// <summary>The inode of the host's own network namespace (PROC_NET_INIT_INO in linux/proc_ns.h).</summary>
    public const ulong InitialInode = 0xEFFFFFF9;

    /// <summary>
    /// The inode of this process's network namespace, and whether it is the host's own.
    /// Interfaces, their indexes and dnsmasq are per namespace, and so is GntCom's state.
    /// Read from the /proc/self/ns/net link ("net:[4026531833]"): one readlink.
    /// </summary>
    public static (ulong Inode, bool IsInitial) Current()
    {
        ulong self = InitialInode;
        string? link = ReadLink("/proc/self/ns/net"); // no /proc: treated as the host's namespace
        if (link != null && link.StartsWith("net:[", StringComparison.Ordinal) && link.EndsWith(']')
            && ulong.TryParse(link.AsSpan(5, link.Length - 6), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong inode))
            self = inode;
        return (self, self == InitialInode);
    }

    private static unsafe string? ReadLink(string path)
    {
        byte* buf = stackalloc byte[64];
        nint n = Interop.Libc.ReadLinkAt(Interop.Libc.AT_FDCWD, path, buf, 64);
        return n <= 0 ? null : System.Text.Encoding.ASCII.GetString(buf, (int)n);
    }
}
