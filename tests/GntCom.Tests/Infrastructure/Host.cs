using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace GntCom.Tests.Infrastructure;

/// <summary>
/// A "host" for one test: its own network namespace, a GntCom sandbox, and shortcuts to
/// run the published executables inside the namespace.
/// </summary>
public sealed class Host : IDisposable
{
    public Host(string config = "dhcp = off\n")
    {
        Sandbox = new Sandbox(config);
        try
        {
            Ns = new NetNs("host");
        }
        catch
        {
            Sandbox.Dispose();
            throw;
        }
    }

    public NetNs Ns { get; }
    public Sandbox Sandbox { get; }

    public string StateRoot => Sandbox.StateRoot(Ns);

    public void AddTap(string name) => Ns.Ip("tuntap", "add", "dev", name, "mode", "tap");

    /// <summary>Runs out/EXE inside the namespace with the sandbox's config and <paramref name="env"/>.</summary>
    public ProcResult Run(string exe, string[] args, params (string Key, string? Value)[] env) =>
        Ns.Exec(Repo.Bin(exe), args, Sandbox.Env(env));

    public ProcResult Ifup(string ifname, string ip, string mac, params (string Key, string? Value)[] env) =>
        Run("gnt-com-ifup", new[] { ifname }, env.Concat(new[] { ("IP", (string?)ip), ("MAC", (string?)mac) }).ToArray());

    public ProcResult Ifdown(string ifname) => Run("gnt-com-ifdown", new[] { ifname });

    public ProcResult Admin(params string[] args) => Run("gnt-com", args);

    /// <summary>Names of the state records (one per configured channel interface).</summary>
    public string[] Records()
    {
        string dir = Path.Combine(StateRoot, "ifaces");
        return Directory.Exists(dir)
            ? Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).Where(n => !n.Contains(".tmp-")).OrderBy(n => n, StringComparer.Ordinal).ToArray()
            : Array.Empty<string>();
    }

    public string Record(string name) => File.ReadAllText(Path.Combine(StateRoot, "ifaces", name));

    public string AddrShow(string dev) => Ns.Ip("-4", "addr", "show", "dev", dev);

    public void Dispose()
    {
        Ns.Dispose();
        Sandbox.Dispose();
    }
}
