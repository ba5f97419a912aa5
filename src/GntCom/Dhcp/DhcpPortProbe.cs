using System;
using System.Collections.Generic;
using System.IO;

namespace GntCom.Dhcp;

/// <summary>
/// Finds DHCP servers in this network namespace: the UDP sockets bound to port 67
/// (/proc/net/udp) and whether they belong to a given process (/proc/PID/fd).
/// </summary>
internal static class DhcpPortProbe
{
    /// <summary>Inodes of the sockets bound to UDP port 67.</summary>
    public static List<string> ServerSocketInodes()
    {
        var inodes = new List<string>();
        string[] lines;
        try { lines = File.ReadAllLines("/proc/net/udp"); }
        catch (IOException) { return inodes; }
        for (int i = 1; i < lines.Length; i++)
        {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
            string[] f = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 10) continue;
            int colon = f[1].IndexOf(':');
            if (colon < 0) continue;
            if (string.Equals(f[1][(colon + 1)..], "0043", StringComparison.OrdinalIgnoreCase)) inodes.Add(f[9]);
        }
        return inodes;
    }

    /// <summary>The socket inodes process <paramref name="pid"/> holds.</summary>
    public static HashSet<string> SocketsOf(int pid)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (pid <= 0) return set;
        try
        {
            foreach (string fd in Directory.GetFiles("/proc/" + pid + "/fd"))
            {
                string? target = new FileInfo(fd).LinkTarget;
                if (target != null && target.StartsWith("socket:[", StringComparison.Ordinal))
                    set.Add(target[8..^1]);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return set;
    }
}
