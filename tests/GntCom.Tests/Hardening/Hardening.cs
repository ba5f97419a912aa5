using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Hardening;

/// <summary>What the tests of issue 10 ("Close the holes") share.</summary>
internal static class Hard
{
    public const string Ip = "169.254.1.2";
    public const string Mac = "52:54:00:12:34:56";

    /// <summary>
    /// Everything a call could have changed in <paramref name="ns"/>: links (with details),
    /// addresses, routes of every table, policy rules, both families. Blanked: bridge
    /// timers, which tick on their own, and each link's qdisc, which the kernel attaches
    /// (noop becomes pfifo_fast) the first time a link is up and keeps after it is down
    /// again: an up that is undone has set the link up and down, as it must.
    /// </summary>
    public static string Snapshot(NetNs ns)
    {
        string all = string.Join("\n--\n",
            ns.Ip("-d", "link", "show"),
            ns.Ip("addr", "show"),
            ns.Ip("-4", "route", "show", "table", "all"),
            ns.Ip("-6", "route", "show", "table", "all"),
            ns.Ip("-4", "rule", "show"),
            ns.Ip("-6", "rule", "show"));
        all = Regex.Replace(all, @"(\w+_timer)\s+[\d.]+", "$1 -");
        return Regex.Replace(all, @" qdisc \S+ ", " qdisc - ");
    }

    /// <summary>Runs out/EXE in the host's namespace with a time limit of our choosing (a hang fails the test).</summary>
    public static ProcResult Run(Host h, string exe, string[] args, int timeoutMs, params (string Key, string? Value)[] env) =>
        h.Ns.Exec(Repo.Bin(exe), args, h.Sandbox.Env(env), timeoutMs);

    public static ProcResult Ifup(Host h, string ifname, int timeoutMs = 60_000, params (string Key, string? Value)[] env) =>
        Run(h, "gnt-com-ifup", new[] { ifname }, timeoutMs, env.Concat(new[] { ("IP", (string?)Ip), ("MAC", (string?)Mac) }).ToArray());

    /// <summary>Starts out/EXE in the host's namespace without waiting (`ip netns exec` execs it: the pid is the program's).</summary>
    public static Background Start(Host h, string exe, string[] args, params (string Key, string? Value)[] env) =>
        new("ip", new[] { "netns", "exec", h.Ns.Name, Repo.Bin(exe) }.Concat(args), h.Sandbox.Env(env));

    /// <summary>The single stderr line of a failed call, which must start "PROGRAM: error: ".</summary>
    public static string OneErrorLine(ProcResult r, string program)
    {
        string[] lines = r.Err.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, "expected one line on stderr, got: " + r);
        Assert.StartsWith(program + ": error: ", lines[0]);
        return lines[0];
    }

    /// <summary>Whether a process whose whole command line matches <paramref name="regex"/> exists (zombies have none).</summary>
    public static bool Running(string regex) => Proc.Run("pgrep", "-f", regex).Code == 0;

    /// <summary>A sleep whose command line no other process has: "sleep 600.NNNNNN", and the regex that finds it.</summary>
    public static (string Command, string Regex) UniqueSleep(int seconds = 600)
    {
        string frac = Random.Shared.Next(100000, 999999).ToString();
        return ("sleep " + seconds + "." + frac, "^sleep " + seconds + "\\." + frac + "$");
    }

    /// <summary>Kills what a test left running (by its unique command line).</summary>
    public static void KillAll(params string[] regexes)
    {
        foreach (string r in regexes) Proc.Run("pkill", "-9", "-f", r);
    }

    /// <summary>Waits for a file to appear (the liveness bound is generous; nothing is timed).</summary>
    public static bool AppearsWithin(string path, int ms = 30_000) => Background.WaitFor(() => File.Exists(path), ms);

    /// <summary>The names in a directory, sorted; empty when it does not exist.</summary>
    public static string[] Listing(string dir) =>
        Directory.Exists(dir)
            ? Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Select(p => p[dir.Length..]).OrderBy(p => p, StringComparer.Ordinal).ToArray()
            : Array.Empty<string>();

    public static void Chmod(string path, int mode) => File.SetUnixFileMode(path, (UnixFileMode)mode);

    public static void Chown(string path, int uid) => Proc.Must("chown", "-h", uid.ToString(), path);
}
