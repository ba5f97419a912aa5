using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using GntCom.Config;
using Mono.Unix.Native;

namespace GntCom.Dhcp;

/// <summary>Starting, signalling and stopping a dnsmasq daemon, and asking it what it supports.</summary>
internal static class DnsmasqProcess
{
    public static void EnsureInstalled(string binary)
    {
        if (!File.Exists(binary))
            throw new GntComException("dnsmasq not found at " + binary + ": install it (apt-get install dnsmasq-base) or set 'dnsmasq =' in the config");
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

    /// <summary>The pid in <paramref name="pidFile"/> if that process is alive (and, when <paramref name="confFile"/> is given, runs that config).</summary>
    public static int RunningPid(string pidFile, string? confFile)
    {
        string? text;
        try { text = File.ReadAllText(pidFile).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 1) return 0;
        if (!IsRunning(pid)) return 0;
        if (confFile == null) return pid;
        try
        {
            // The pid may have been recycled: it must be a dnsmasq running our config.
            string cmdline = File.ReadAllText("/proc/" + pid + "/cmdline");
            return cmdline.Contains(confFile, StringComparison.Ordinal) ? pid : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
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
    private static bool IsRunning(int pid)
    {
        if (Syscall.kill(pid, 0) != 0) return false;
        try
        {
            string stat = File.ReadAllText("/proc/" + pid + "/stat");
            int close = stat.LastIndexOf(')');
            return close < 0 || close + 2 >= stat.Length || stat[close + 2] is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static (int Code, string Output) Run(string binary, string arg)
    {
        var psi = new ProcessStartInfo(binary, arg)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        try
        {
            using var p = Process.Start(psi) ?? throw new GntComException("cannot start " + binary);
            p.StandardInput.Close();
            var stderr = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, stdout + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new GntComException("cannot start " + binary + ": " + e.Message);
        }
    }
}
