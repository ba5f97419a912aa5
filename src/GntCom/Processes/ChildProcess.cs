using System;
using System.Collections;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using GntCom.Interop;

namespace GntCom.Processes;

/// <summary>
/// A program GntCom runs (a hook, dnsmasq), started with posix_spawn: in a process group of
/// its own (so a timeout kills it and everything it started), stdin from /dev/null, signal
/// dispositions reset (a runtime that ignores SIGPIPE would otherwise pass that on), the
/// working directory /. Its stdout and stderr go to a pipe that GntCom reads: the caller's
/// own stderr (Ganeti waits for it to close) is never handed to the program's background
/// children.
/// </summary>
public sealed unsafe class ChildProcess : IDisposable
{
    private int _pidfd;
    private int _pipe = -1;
    private int? _status;

    private ChildProcess(int pid, int pidfd, int pipe)
    {
        Pid = pid;
        _pidfd = pidfd;
        _pipe = pipe;
    }

    public int Pid { get; }

    /// <summary>The child's process group (its own pid: it leads a new group).</summary>
    public int ProcessGroup => Pid;

    /// <summary>
    /// Starts <paramref name="path"/> with <paramref name="args"/> (argv[1..]) and the current
    /// environment (or, without <paramref name="inherit"/>, only a PATH) overlaid with
    /// <paramref name="env"/>; read its output with
    /// <see cref="Output"/> or <see cref="Pump"/>.
    /// </summary>
    public static ChildProcess Start(string path, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? env, bool inherit = true)
    {
        var argv = new List<string> { path };
        argv.AddRange(args);
        var envp = new List<string>();
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        // A program run on behalf of another guest than the caller's gets none of the
        // caller's environment (Ganeti's TAGS, NETWORK_*... describe the caller's NIC).
        if (inherit)
        {
            foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
                if (e.Key is string k && e.Value is string v) merged[k] = v;
        }
        else
        {
            merged["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        }
        if (env != null) foreach (var (k, v) in env) merged[k] = v;
        foreach (var (k, v) in merged) envp.Add(k + "=" + v);

        int* pipe = stackalloc int[2];
        if (Libc.Pipe2(pipe, Libc.O_CLOEXEC) < 0)
            throw new GntComException("cannot start " + path + ": pipe: " + Errno.Describe(Libc.Errno));

        Libc.SpawnAttr attr;
        Libc.SpawnFileActions actions;
        Libc.SigSet set;
        Libc.SpawnAttrInit(&attr);
        Libc.FileActionsInit(&actions);
        nint argvBlock = 0, envBlock = 0;
        try
        {
            Libc.SpawnAttrSetFlags(&attr, Libc.POSIX_SPAWN_SETPGROUP | Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF);
            Libc.SpawnAttrSetPgroup(&attr, 0);
            Libc.SigEmptySet(&set);
            Libc.SpawnAttrSetSigMask(&attr, &set);
            Libc.SigFillSet(&set);
            Libc.SigDelSet(&set, Libc.SIGKILL);
            Libc.SigDelSet(&set, 19 /* SIGSTOP */);
            Libc.SpawnAttrSetSigDefault(&attr, &set);

            Libc.FileActionsAddOpen(&actions, 0, "/dev/null", Libc.O_RDONLY, 0);
            Libc.FileActionsAddDup2(&actions, pipe[1], 1);
            Libc.FileActionsAddDup2(&actions, pipe[1], 2);
            Libc.FileActionsAddChdir(&actions, "/");

            argvBlock = StringArray(argv);
            envBlock = StringArray(envp);
            int rc = Libc.PosixSpawn(out int pid, path, &actions, &attr, (byte**)argvBlock, (byte**)envBlock);
            if (rc != 0) throw new GntComException("cannot start " + path + ": " + Errno.Describe(rc));
            int pidfd = Libc.PidfdOpen(pid, 0);
            return new ChildProcess(pid, pidfd, pipe[0]);
        }
        catch
        {
            Libc.Close(pipe[0]);
            throw;
        }
        finally
        {
            Libc.Close(pipe[1]);
            Libc.FileActionsDestroy(&actions);
            Libc.SpawnAttrDestroy(&attr);
            FreeStringArray(argvBlock, argv.Count);
            FreeStringArray(envBlock, envp.Count);
        }
    }

    /// <summary>
    /// Waits for the child to exit, at most <paramref name="timeout"/>; returns its exit code
    /// (128 + N when killed by signal N), or null when it is still running.
    /// </summary>
    public int? WaitForExit(TimeSpan timeout)
    {
        if (_status != null) return _status;
        if (_pidfd >= 0)
        {
            var until = DateTime.UtcNow + timeout;
            while (true)
            {
                int ms = (int)Math.Max(0, Math.Min(int.MaxValue, (until - DateTime.UtcNow).TotalMilliseconds));
                var fds = new Libc.PollFd { Fd = _pidfd, Events = Libc.POLLIN };
                int n = Libc.Poll(&fds, 1, ms);
                if (n < 0 && Libc.Errno == Errno.EINTR) continue;
                if (n == 0) return null;
                break;
            }
        }
        else
        {
            // No pidfd (kernel before 5.3): poll the child.
            var until = DateTime.UtcNow + timeout;
            int st, r;
            while ((r = Libc.WaitPid(Pid, out st, Libc.WNOHANG)) == 0)
            {
                if (DateTime.UtcNow >= until) return null;
                System.Threading.Thread.Sleep(5);
            }
            return Record(r, st);
        }
        return Reap();
    }

    private int? Reap()
    {
        int r;
        int st;
        do r = Libc.WaitPid(Pid, out st, 0);
        while (r < 0 && Libc.Errno == Errno.EINTR);
        return Record(r, st);
    }

    private int Record(int r, int st)
    {
        if (r < 0) _status = 255;
        else if ((st & 0x7f) == 0) _status = (st >> 8) & 0xff;
        else _status = 128 + (st & 0x7f);
        return _status.Value;
    }

    /// <summary>SIGKILLs the child's whole process group and reaps the child if it dies within a short grace.</summary>
    public void KillGroup()
    {
        Libc.Kill(-ProcessGroup, Libc.SIGKILL);
        // A process stuck in the kernel (a hung NFS mount) may never die: it is not waited
        // for beyond a short grace, so the caller (and the host lock) is not held by it.
        if (_status == null) WaitForExit(TimeSpan.FromSeconds(2));
    }

    /// <summary>
    /// Copies the program's output to <paramref name="sink"/> until the program exits or
    /// <paramref name="timeout"/> passes; returns the exit code, or null at the timeout.
    /// Output still buffered when it exits is copied too; children it left in the background
    /// are not waited for (they lose their reader).
    /// </summary>
    public int? Pump(TimeSpan timeout, Action<ReadOnlySpan<byte>> sink)
    {
        byte* buf = stackalloc byte[4096];
        var until = DateTime.UtcNow + timeout;
        bool open = _pipe >= 0;
        var fds = stackalloc Libc.PollFd[2];
        while (_pidfd >= 0)
        {
            int ms = (int)Math.Max(0, Math.Min(int.MaxValue, (until - DateTime.UtcNow).TotalMilliseconds));
            fds[0] = new Libc.PollFd { Fd = _pidfd, Events = Libc.POLLIN };
            fds[1] = new Libc.PollFd { Fd = open ? _pipe : -1, Events = Libc.POLLIN };
            int n = Libc.Poll(fds, 2, ms);
            if (n < 0 && Libc.Errno == Errno.EINTR) continue;
            if (n == 0) return null;
            if (open && fds[1].Revents != 0)
            {
                nint got = Libc.Read(_pipe, buf, 4096);
                if (got > 0) sink(new ReadOnlySpan<byte>(buf, (int)got));
                else if (got == 0 || Libc.Errno != Errno.EINTR) open = false;
            }
            if (fds[0].Revents != 0) break;
        }
        int? code = WaitForExit(until - DateTime.UtcNow > TimeSpan.Zero ? until - DateTime.UtcNow : TimeSpan.Zero);
        if (code == null) return null;
        // Whatever it wrote before exiting is in the pipe already: take it without waiting.
        while (open)
        {
            var fd = new Libc.PollFd { Fd = _pipe, Events = Libc.POLLIN };
            if (Libc.Poll(&fd, 1, 0) <= 0) break;
            nint got = Libc.Read(_pipe, buf, 4096);
            if (got <= 0) break;
            sink(new ReadOnlySpan<byte>(buf, (int)got));
        }
        return code;
    }

    /// <summary>Runs <paramref name="path"/> to its end (at most <paramref name="limit"/>, then its group is killed and this throws): its exit code and output.</summary>
    public static (int Code, string Output) Run(string path, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? env, TimeSpan limit)
    {
        using var p = Start(path, args, env);
        string output = p.Output(limit);
        int? code = p.WaitForExit(limit);
        if (code == null)
        {
            p.KillGroup();
            throw new GntComException(path + " " + string.Join(' ', args) + " did not finish within " + (int)limit.TotalSeconds + " s");
        }
        return (code.Value, output);
    }

    /// <summary>Reads the captured output until every writer closed it, at most <paramref name="timeout"/>.</summary>
    public string Output(TimeSpan timeout)
    {
        if (_pipe < 0) return "";
        var sb = new StringBuilder();
        byte* buf = stackalloc byte[4096];
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            int ms = (int)Math.Max(0, (until - DateTime.UtcNow).TotalMilliseconds);
            var fds = new Libc.PollFd { Fd = _pipe, Events = Libc.POLLIN };
            int n = Libc.Poll(&fds, 1, ms);
            if (n < 0 && Libc.Errno == Errno.EINTR) continue;
            if (n <= 0) break;
            nint got = Libc.Read(_pipe, buf, 4096);
            if (got < 0 && Libc.Errno == Errno.EINTR) continue;
            if (got <= 0) break;
            if (sb.Length < 64 * 1024) sb.Append(Encoding.UTF8.GetString(buf, (int)got));
        }
        return sb.ToString();
    }

    public void Dispose()
    {
        if (_pidfd >= 0) Libc.Close(_pidfd);
        if (_pipe >= 0) Libc.Close(_pipe);
        _pidfd = _pipe = -1;
    }

    private static nint StringArray(List<string> items)
    {
        nint block = (nint)NativeMemory.AllocZeroed((nuint)((items.Count + 1) * sizeof(nint)));
        var p = (byte**)block;
        for (int i = 0; i < items.Count; i++)
        {
            byte[] b = Encoding.UTF8.GetBytes(items[i]);
            byte* s = (byte*)NativeMemory.Alloc((nuint)b.Length + 1);
            b.AsSpan().CopyTo(new Span<byte>(s, b.Length));
            s[b.Length] = 0;
            p[i] = s;
        }
        return block;
    }

    private static void FreeStringArray(nint block, int count)
    {
        if (block == 0) return;
        var p = (byte**)block;
        for (int i = 0; i < count; i++) NativeMemory.Free(p[i]);
        NativeMemory.Free(p);
    }
}
