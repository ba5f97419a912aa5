using System;
using System.Collections.Generic;
using System.IO;
using GntCom.Interop;
using GntCom.Logging;
using GntCom.Processes;

namespace GntCom.Hooks;

/// <summary>
/// Runs the admin's hooks: the executables in HOOKS_DIR/ifup.d or ifdown.d, in name order
/// (names of letters, digits, '_' and '-' only, as run-parts; editor backups and dpkg
/// leftovers are skipped), each with the Ganeti NIC environment, stdin from /dev/null, its
/// output logged line by line ("hook NAME: ..."), in a process group of its own, with a time limit.
/// A hook that root alone could not have written is refused (<see cref="HookTrust"/>).
/// The call waits for the hook, not for children it leaves in the background (they never
/// hold the caller's stderr, which Ganeti waits on); at the time limit the hook's whole
/// group is killed. The hook dies with the call (PR_SET_PDEATHSIG through setpriv), and the
/// call's journal names its group so that the next call kills whatever a killed call's
/// hook left behind.
/// </summary>
public static class HookRunner
{
    private const string Setpriv = "/usr/bin/setpriv";

    /// <summary>The hooks that would run from <paramref name="dir"/>, in order.</summary>
    public static List<string> List(string dir)
    {
        var hooks = new List<string>();
        if (!Libc.IsDirectory(dir)) return hooks; // no hooks: the common case, without an exception
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
            if (Libc.FStatAt(Libc.AT_FDCWD, path, out var st, 0) != 0) continue;
            if (st.IsRegular && (st.Mode & Libc.S_IXUSR) != 0) hooks.Add(path);
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
    /// Runs every hook in <paramref name="dir"/>. With <paramref name="mustSucceed"/> the first
    /// failure or refusal throws (an up is undone); otherwise they are logged and the rest run.
    /// <paramref name="started"/> learns each hook's process group and start time before it is waited for.
    /// </summary>
    /// <paramref name="inheritEnvironment"/>: the hooks act for the caller's own NIC and inherit its
    /// environment (Ganeti's NIC variables); otherwise (a vanished guest forgotten, a killed
    /// call rolled back) they get only GntCom's variables.
    public static void RunAll(string dir, IReadOnlyDictionary<string, string> env, TimeSpan timeout, bool mustSucceed,
        Action<int, ulong>? started = null, bool inheritEnvironment = true)
    {
        foreach (string hook in List(dir))
        {
            string? failure = HookTrust.Refusal(hook, dir, out string resolved) is string why ? "hook " + hook + " refused: " + why : null;
            failure ??= Run(resolved, env, timeout, started, inheritEnvironment);
            if (failure == null) continue;
            if (mustSucceed) throw new GntComException(failure);
            Log.Warn(failure);
        }
    }

    /// <summary>Runs one hook; returns null on success, else why it failed.</summary>
    private static string? Run(string hook, IReadOnlyDictionary<string, string> env, TimeSpan timeout, Action<int, ulong>? started, bool inheritEnvironment)
    {
        ChildProcess child;
        try
        {
            child = File.Exists(Setpriv)
                ? ChildProcess.Start(Setpriv, new[] { "--pdeathsig", "KILL", "--", hook }, env, inheritEnvironment)
                : ChildProcess.Start(hook, Array.Empty<string>(), env, inheritEnvironment);
        }
        catch (GntComException e)
        {
            return "hook " + hook + " could not be started: " + e.Message;
        }
        using (child)
        {
            started?.Invoke(child.ProcessGroup, ProcStat.Read(child.Pid)?.StartTime ?? 0);
            var lines = new HookOutput(Path.GetFileName(hook));
            int? code = child.Pump(timeout, lines.Add);
            lines.Flush();
            if (code == null)
            {
                child.KillGroup();
                return "hook " + hook + " did not finish within " + (int)timeout.TotalSeconds + " s and was killed";
            }
            return code == 0 ? null : "hook " + hook + " failed with exit code " + code;
        }
    }
}
