using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace GntCom.Processes;

/// <summary>
/// /proc/net/udp (this network namespace's UDP sockets): which sockets are bound to a port,
/// by inode. Finds other DHCP servers (port 67) before dnsmasq is run in wildcard mode.
/// </summary>
public static class ProcNetUdp
{
    public const string DefaultPath = "/proc/net/udp";

    /// <summary>Inodes of the sockets bound to local <paramref name="port"/>; malformed lines are skipped.</summary>
    public static List<ulong> BoundTo(string text, int port)
    {
        var inodes = new List<ulong>();
        string[] lines = text.Split('\n');
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
        for (int i = 1; i < lines.Length; i++)
        {
            string[] f = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 10) continue;
            int colon = f[1].IndexOf(':');
            if (colon < 0) continue;
            if (!int.TryParse(f[1].AsSpan(colon + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int p) || p != port) continue;
            if (ulong.TryParse(f[9], NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode) && inode != 0) inodes.Add(inode);
        }
        return inodes;
    }

    public static List<ulong> BoundTo(int port, string path = DefaultPath)
    {
        try { return BoundTo(File.ReadAllText(path), port); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return new List<ulong>(); }
    }
}
