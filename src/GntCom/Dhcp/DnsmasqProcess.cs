using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using GntCom.Processes;
using Mono.Unix.Native;

namespace GntCom.Dhcp;

/// <summary>Starting, signalling and stopping a dnsmasq daemon, and asking it what it supports.</summary>
internal static class DnsmasqProcess
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(10);

    public static void EnsureInstalled(string binary)
    {
        if (!File.Exists(binary))
            throw new GntComException("dnsmasq not found at " + binary + ": install it (apt-get install dnsmasq-base) or set 'dnsmasq =' in the config");
        if (Inputs.FileTrust.FileRefusal("dnsmasq", binary) is string why)
            throw new GntComException(why + ": refusing to run it as root");
    }

    /// <summary>Whether this dnsmasq knows --bind-dynamic (added in 2.63).</summary>
    public static bool SupportsBindDynamic(string binary)
    {
        EnsureInstalled(binary);
        var (code, output) = Run(binary, "--help");
        if (code != 0) throw new GntComException(binary + " --help failed with exit code " + code);
        return output.Contains("--bind-dynamic", StringComparison.Ordinal);
    }

    /// <summary>Starts the daemon; returns once it is serving (dnsmasq's parent exits then) or throws with its error.</summary>
    public static void Start(string binary, string confFile)
    {
        EnsureInstalled(binary);
        var (code, output) = Run(binary, "--conf-file=" + confFile);
        if (code != 0)
        {
            string why = output.Trim().Replace('\n', ' ');
            throw new GntComException("dnsmasq failed to start (exit code " + code + ")" + (why.Length > 0 ? ": " + why : ""));
        }
    }

    /// <summary>
    /// The pid in <paramref name="pidFile"/> if that process is alive and is a dnsmasq (its
    /// executable, not just its command line, which any process may set) running
    /// <paramref name="confFile"/>, when given. The pid file may be another program's (in a
    /// directory its daemons' group writes): it is read with every care.
    /// </summary>
    public static int RunningPid(string pidFile, string? confFile)
    {
        string? text = Interop.Libc.ReadForeignFile(Interop.Libc.AT_FDCWD, pidFile, 64, followLast: false)?.Trim();
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 1) return 0;
        if (!IsRunning(pid)) return 0;
        // The pid may have been recycled, or be another process's: it must be a dnsmasq (running that config).
        if (!IsDnsmasq(pid)) return 0;
        return confFile == null || ProcStat.CommandLine(pid).Contains(confFile, StringComparison.Ordinal) ? pid : 0;
    }

    /// <summary>Whether <paramref name="pid"/>'s executable is a dnsmasq (one an upgrade replaced since it started reads "... (deleted)").</summary>
    private static bool IsDnsmasq(int pid)
    {
        string? exe = ProcStat.Executable(pid);
        if (exe == null) return false;
        const string Deleted = " (deleted)";
        if (exe.EndsWith(Deleted, StringComparison.Ordinal)) exe = exe[..^Deleted.Length];
        return Path.GetFileName(exe) == "dnsmasq";
    }

    /// <summary>
    /// Every live dnsmasq running <paramref name="confFile"/>, the pid file's or not (one a
    /// killed call started before its pid file was written): a walk of /proc, done only
    /// when dnsmasq is started or stopped, and by check.
    /// </summary>
    public static List<int> Running(string confFile)
    {
        var pids = new List<int>();
        string arg = "--conf-file=" + confFile;
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 1) continue;
            if (Array.IndexOf(ProcStat.Arguments(pid), arg) >= 0 && IsRunning(pid) && IsDnsmasq(pid)) pids.Add(pid);
        }
        return pids;
    }

    public static void Reload(int pid)
    {
        if (Syscall.kill(pid, Signum.SIGHUP) != 0 && Stdlib.GetLastError() != Errno.ESRCH)
            throw new GntComException("cannot signal dnsmasq (pid " + pid + "): " + Stdlib.GetLastError());
    }

    /// <summary>SIGTERM, then waits up to 5 s for the process to go (SIGKILL after that, 5 s more at most).</summary>
    public static void Stop(int pid)
    {
        if (Syscall.kill(pid, Signum.SIGTERM) != 0) return;
        var start = DateTime.UtcNow;
        bool killed = false;
        while (IsRunning(pid))
        {
            var waited = DateTime.UtcNow - start;
            if (!killed && waited > TimeSpan.FromSeconds(5))
            {
                Syscall.kill(pid, Signum.SIGKILL);
                killed = true;
            }
            if (waited > TimeSpan.FromSeconds(10))
                throw new GntComException("dnsmasq (pid " + pid + ") did not exit after SIGTERM and SIGKILL");
            Thread.Sleep(2);
        }
    }

    /// <summary>
    /// Whether <paramref name="pid"/> exists and has not exited: a daemon that exited stays
    /// a zombie until its reaper (init) collects it, and kill(pid, 0) still succeeds then.
    /// </summary>
    private static bool IsRunning(int pid) =>
        Syscall.kill(pid, 0) == 0 && ProcStat.Read(pid) is { HasExited: false };

    private static (int Code, string Output) Run(string binary, string arg) => ChildProcess.Run(binary, new[] { arg }, null, RunLimit);
}
