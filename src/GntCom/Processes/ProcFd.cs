using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace GntCom.Processes;

/// <summary>/proc/PID/fd: what a process holds open.</summary>
public static class ProcFd
{
    /// <summary>The inodes of the sockets process <paramref name="pid"/> holds ("socket:[INODE]" links); empty when unknown.</summary>
    public static HashSet<ulong> Sockets(int pid)
    {
        var set = new HashSet<ulong>();
        if (pid <= 0) return set;
        try
        {
            foreach (string fd in Directory.GetFiles("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/fd"))
                if (SocketInode(new FileInfo(fd).LinkTarget) is ulong inode) set.Add(inode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return set;
    }

    /// <summary>
    /// The processes holding each of <paramref name="inodes"/> (every /proc/PID/fd is read:
    /// for status and check, or once per newly seen socket).
    /// </summary>
    public static Dictionary<ulong, List<int>> Owners(IReadOnlyCollection<ulong> inodes)
    {
        var owners = new Dictionary<ulong, List<int>>();
        if (inodes.Count == 0) return owners;
        string[] procs;
        try { procs = Directory.GetDirectories("/proc"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return owners; }
        foreach (string dir in procs)
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            foreach (ulong inode in Sockets(pid))
            {
                if (!Contains(inodes, inode)) continue;
                if (!owners.TryGetValue(inode, out var list)) owners[inode] = list = new List<int>();
                list.Add(pid);
            }
        }
        return owners;
    }

    private static bool Contains(IReadOnlyCollection<ulong> set, ulong value)
    {
        foreach (ulong v in set) if (v == value) return true;
        return false;
    }

    /// <summary>The inode of a "socket:[INODE]" link target, else null.</summary>
    public static ulong? SocketInode(string? target) =>
        target != null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']')
        && ulong.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode)
            ? inode : null;
}
