using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;

namespace GntCom.Tests.Infrastructure;

/// <summary>
/// A network namespace of the test's own (ip netns), deleted with everything running in
/// it when disposed. The host's namespace is never touched.
/// </summary>
public sealed class NetNs : IDisposable
{
    private static int _counter;

    static NetNs() => RemoveOrphans();

    public NetNs(string role = "ns")
    {
        Name = "gct" + Environment.ProcessId + "-" + Interlocked.Increment(ref _counter) + role[..Math.Min(role.Length, 4)];
        Proc.Must("ip", "netns", "add", Name);
        Ip("link", "set", "lo", "up");
    }

    /// <summary>Deletes namespaces left by test runs that died (their pid is in the name).</summary>
    private static void RemoveOrphans()
    {
        if (!Directory.Exists("/run/netns")) return;
        foreach (string path in Directory.GetFiles("/run/netns", "gct*"))
        {
            string name = Path.GetFileName(path);
            int dash = name.IndexOf('-');
            if (dash < 4 || !int.TryParse(name[3..dash], out int pid) || Directory.Exists("/proc/" + pid)) continue;
            var pids = Proc.Run("ip", "netns", "pids", name).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (pids.Length > 0) Proc.Run("kill", new[] { "-9" }.Concat(pids).ToArray());
            Proc.Run("ip", "netns", "del", name);
        }
    }

    public string Name { get; }

    /// <summary>Runs `ip ARGS` in this namespace and fails on error.</summary>
    public string Ip(params string[] args) => Proc.Must("ip", new[] { "-n", Name }.Concat(args).ToArray());

    /// <summary>Runs a program inside the namespace.</summary>
    public ProcResult Exec(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env = null, int timeoutMs = 60_000) =>
        Proc.Run("ip", new[] { "netns", "exec", Name, file }.Concat(args), env, timeoutMs);

    public ProcResult Exec(string file, params string[] args) => Exec(file, args, null);

    public string Must(string file, params string[] args)
    {
        var r = Exec(file, args);
        if (r.Code != 0) throw new InvalidOperationException("in " + Name + ": " + file + " " + string.Join(' ', args) + " failed: " + r);
        return r.Out;
    }

    public string Sh(string script) => Must("/bin/sh", "-c", script);

    /// <summary>A sysctl of this namespace, read through /proc/sys as seen from inside it.</summary>
    public string Sysctl(string key) => Must("cat", "/proc/sys/" + key).Trim();

    public bool LinkExists(string name) => Exec("ip", "link", "show", "dev", name).Code == 0;

    /// <summary>`ip -4 route show table main` lines.</summary>
    public string[] Routes(string table = "main") =>
        Ip("-4", "route", "show", "table", table).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToArray();

    public string[] Pids() =>
        Proc.Run("ip", "netns", "pids", Name).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public void Dispose()
    {
        for (int i = 0; i < 3; i++)
        {
            var pids = Pids();
            if (pids.Length == 0) break;
            Proc.Run("kill", new[] { "-9" }.Concat(pids).ToArray());
            Thread.Sleep(50);
        }
        Proc.Run("ip", "netns", "del", Name);
    }
}
