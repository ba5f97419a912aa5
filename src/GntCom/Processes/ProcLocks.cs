using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace GntCom.Processes;

/// <summary>One lock of /proc/locks: who holds (or waits for) which file.</summary>
public readonly record struct FileLock(string Kind, int Pid, uint Major, uint Minor, ulong Inode, bool Waiting);

/// <summary>
/// /proc/locks: "1: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF", waiters as
/// "1: -> FLOCK ...". Used to name the holder of the host lock (`gnt-com status`, and the
/// error of a call that waited longer than lock_timeout).
/// </summary>
public static class ProcLocks
{
    public const string DefaultPath = "/proc/locks";

    /// <summary>Parses the text; malformed lines are skipped.</summary>
    public static List<FileLock> Parse(string text)
    {
        var locks = new List<FileLock>();
        foreach (string line in text.Split('\n'))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int i = 1;
            bool waiting = false;
            if (f.Length > i && f[i] == "->") { waiting = true; i++; }
            if (f.Length < i + 5) continue;
            string kind = f[i];
            if (!int.TryParse(f[i + 3], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0) continue;
            string[] id = f[i + 4].Split(':');
            if (id.Length != 3
                || !uint.TryParse(id[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint major)
                || !uint.TryParse(id[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint minor)
                || !ulong.TryParse(id[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode))
                continue;
            locks.Add(new FileLock(kind, pid, major, minor, inode, waiting));
        }
        return locks;
    }

    /// <summary>The pid holding an flock on the file (st_dev, st_ino), 0 when none; reads <paramref name="path"/>.</summary>
    public static int Holder(ulong dev, ulong inode, string path = DefaultPath)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
        return Holder(Parse(text), dev, inode);
    }

    public static int Holder(List<FileLock> locks, ulong dev, ulong inode)
    {
        // glibc's major()/minor() of a st_dev.
        uint major = (uint)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffUL));
        uint minor = (uint)((dev & 0xff) | ((dev >> 12) & ~0xffUL));
        foreach (var l in locks)
            if (!l.Waiting && l.Kind == "FLOCK" && l.Inode == inode && l.Major == major && l.Minor == minor) return l.Pid;
        return 0;
    }
}
