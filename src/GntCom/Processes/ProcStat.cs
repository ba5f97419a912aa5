using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace GntCom.Processes;

/// <summary>What /proc/PID/stat says of a process: its state, group and start time.</summary>
public readonly record struct ProcessStat(int Pid, char State, int ProcessGroup, ulong StartTime)
{
    /// <summary>Exited, waiting to be reaped (a zombie) or dead.</summary>
    public bool HasExited => State is 'Z' or 'X' or 'x';
}

/// <summary>/proc/PID/stat and /proc/PID/cmdline of other processes.</summary>
public static class ProcStat
{
    /// <summary>
    /// Parses "PID (COMM) S PPID PGRP SESSION ... STARTTIME ..." (starttime is field 22).
    /// COMM may hold spaces and parentheses: the last ')' ends it. Null when malformed.
    /// </summary>
    public static ProcessStat? Parse(string text)
    {
        int open = text.IndexOf(" (", StringComparison.Ordinal);
        int close = text.LastIndexOf(')');
        if (open <= 0 || close < open || close + 2 >= text.Length) return null;
        if (!int.TryParse(text.AsSpan(0, open), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) return null;
        string[] f = text[(close + 2)..].Split(' ');
        // f[0] = state (field 3), f[2] = pgrp (field 5), f[19] = starttime (field 22).
        if (f.Length < 20 || f[0].Length != 1) return null;
        if (!int.TryParse(f[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int pgrp)) return null;
        if (!ulong.TryParse(f[19], NumberStyles.None, CultureInfo.InvariantCulture, out ulong start)) return null;
        return new ProcessStat(pid, f[0][0], pgrp, start);
    }

    /// <summary>The process's stat, null when it does not exist (or cannot be read).</summary>
    public static ProcessStat? Read(int pid)
    {
        if (pid <= 0) return null;
        try { return Parse(File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The path of the process's executable (/proc/PID/exe), null when unknown; " (deleted)" when it was replaced.</summary>
    public static string? Executable(int pid)
    {
        try { return new FileInfo("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/exe").LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The process's argv (empty when unknown: a kernel thread, or gone).</summary>
    public static string[] Arguments(int pid)
    {
        try
        {
            byte[] raw = File.ReadAllBytes("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/cmdline");
            string s = Encoding.UTF8.GetString(raw).TrimEnd('\0');
            return s.Length == 0 ? Array.Empty<string>() : s.Split('\0');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }

    /// <summary>The command line with NULs as spaces ("gnt-com-ifup tap0"), or "?" when unknown.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            byte[] raw = File.ReadAllBytes("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/cmdline");
            string s = Encoding.UTF8.GetString(raw).TrimEnd('\0').Replace('\0', ' ');
            return s.Length == 0 ? "?" : s.Length > 120 ? s[..120] + "..." : s;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }
}
