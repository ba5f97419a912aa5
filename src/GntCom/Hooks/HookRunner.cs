using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using GntCom.Logging;
using Mono.Unix.Native;

namespace GntCom.Hooks;

/// <summary>
/// Runs the admin's hooks: the executables in HOOKS_DIR/ifup.d or ifdown.d, in name order
/// (names of letters, digits, '_' and '-' only, as run-parts; editor backups and
/// dpkg leftovers are skipped), each with the Ganeti NIC environment, stdin from
/// /dev/null, stdout sent to stderr, and a time limit.
/// </summary>
public static class HookRunner
{
    /// <summary>The hooks that would run from <paramref name="dir"/>, in order.</summary>
    public static List<string> List(string dir)
    {
        var hooks = new List<string>();
        string[] files;
        try { files = Directory.GetFiles(dir); }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException) { return hooks; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GntComException("cannot list hooks in " + dir + ": " + e.Message);
        }
        Array.Sort(files, StringComparer.Ordinal);
        foreach (string path in files)
        {
            if (!IsHookName(Path.GetFileName(path))) continue;
            if (Syscall.stat(path, out Stat st) != 0) continue;
            bool regular = (st.st_mode & FilePermissions.S_IFMT) == FilePermissions.S_IFREG;
            bool executable = (st.st_mode & FilePermissions.S_IXUSR) != 0;
            if (regular && executable) hooks.Add(path);
        }
        return hooks;
    }

    private static bool IsHookName(string name)
    {
        if (name.Length == 0) return false;
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-')) return false;
        return true;
    }

    /// <summary>
    /// Runs every hook in <paramref name="dir"/>. With <paramref name="mustSucceed"/> the
    /// first failure throws (an up is undone); otherwise failures are logged and the rest run.
    /// </summary>
    public static void RunAll(string dir, IReadOnlyDictionary<string, string> env, TimeSpan timeout, bool mustSucceed)
    {
        foreach (string hook in List(dir))
        {
            string? failure = Run(hook, env, timeout);
            if (failure == null) continue;
            if (mustSucceed) throw new GntComException(failure);
            Log.Warn(failure);
        }
    }

    /// <summary>Runs one hook; returns null on success, else why it failed.</summary>
    private static string? Run(string hook, IReadOnlyDictionary<string, string> env, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(hook)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            WorkingDirectory = "/",
        };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return "hook " + hook + " could not be started: " + e.Message;
        }
        using (p)
        {
            p.StandardInput.Close();
            p.OutputDataReceived += (_, e) => { if (e.Data != null) Interop.Libc.WriteAll(2, System.Text.Encoding.UTF8.GetBytes(e.Data + "\n")); };
            p.BeginOutputReadLine();
            if (!p.WaitForExit(timeout))
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                p.WaitForExit();
                return "hook " + hook + " did not finish within " + (int)timeout.TotalSeconds + " s and was killed";
            }
            p.WaitForExit(); // drains the output
            return p.ExitCode == 0 ? null : "hook " + hook + " failed with exit code " + p.ExitCode;
        }
    }
}
