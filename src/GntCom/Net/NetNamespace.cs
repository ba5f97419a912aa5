using Mono.Unix.Native;

namespace GntCom.Net;

/// <summary>Which network namespace this process runs in.</summary>
public static class NetNamespace
{
    /// <summary>The inode of the host's own network namespace (PROC_NET_INIT_INO in linux/proc_ns.h).</summary>
    public const ulong InitialInode = 0xEFFFFFF9;

    /// <summary>
    /// The inode of this process's network namespace, and whether it is the host's own.
    /// Interfaces, their indexes and dnsmasq are per namespace, and so is GntCom's state.
    /// </summary>
    public static (ulong Inode, bool IsInitial) Current()
    {
        ulong self = Syscall.stat("/proc/self/ns/net", out Stat st) == 0 ? st.st_ino : InitialInode;
        return (self, self == InitialInode);
    }
}
