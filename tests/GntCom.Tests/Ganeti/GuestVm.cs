using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// A guest in a network namespace of its own, behind a veth pair whose host end (a Xen
/// vif's stand-in, or a channel interface under the name Ganeti gave it) lives in the
/// node's namespace. Its eth0 carries the guest's MAC; it asks for its address with
/// busybox udhcpc, whose script configures the lease on eth0 as a guest's would.
/// </summary>
public sealed class GuestVm : IDisposable
{
    private readonly string _dir;

    public GuestVm(GanetiNode node, string hostEnd, string mac)
    {
        Ns = new NetNs("vm");
        HostEnd = hostEnd;
        Mac = mac;
        _dir = node.Site.Sandbox.Dir;
        node.Ns.Ip("link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", Ns.Name);
        HostEndNamespace = node.Ns.Name;
        Ns.Ip("link", "set", "eth0", "address", mac);
        Ns.Ip("link", "set", "eth0", "up");
        File.WriteAllText(Script, "#!/bin/sh\ncase \"$1\" in\n  bound|renew)\n" +
            "    ip addr flush dev \"$interface\"\n    ip addr add \"$ip/$mask\" dev \"$interface\"\n" +
            "    { echo \"ip=$ip\"; echo \"serverid=$serverid\"; } > \"$LEASE_FILE\" ;;\nesac\nexit 0\n");
        File.SetUnixFileMode(Script, (UnixFileMode)0b111_101_101);
    }

    public NetNs Ns { get; }
    public string HostEnd { get; private set; }
    public string Mac { get; }
    private string Script => Path.Combine(_dir, "udhcpc-guest.script");

    /// <summary>
    /// A live migration: the guest (its namespace, its eth0 and its neighbour cache) stays as
    /// it is, and its host end moves to <paramref name="to"/>'s namespace, named
    /// <paramref name="name"/> and with <paramref name="mac"/>, down and unaddressed, as the
    /// target's new tap or vif is (the kernel takes an interface down when it changes
    /// namespace). The source sees its interface vanish.
    /// </summary>
    public void MoveHostEnd(GanetiNode to, string name, string mac)
    {
        string current = CurrentHostEnd();
        // One request (the target may have an interface of that name already).
        Proc.Must("ip", "-n", HostEndNamespace, "link", "set", "dev", current, "netns", to.Ns.Name, "name", name);
        to.Ns.Ip("link", "set", "dev", name, "address", mac);
        HostEnd = name;
        HostEndNamespace = to.Ns.Name;
    }

    /// <summary>The host end's name now: the hypervisor's, or the one the channel's up gave it (its peer, eth0, knows its index).</summary>
    public string CurrentHostEnd()
    {
        string peer = Ns.Must("cat", "/sys/class/net/eth0/iflink").Trim();
        return Proc.Must("ip", "-n", HostEndNamespace, "-o", "link", "show").Split('\n')
            .Select(l => l.Split(": ")).First(f => f[0] == peer)[1].Split('@')[0];
    }

    /// <summary>The namespace the host end lives in.</summary>
    public string HostEndNamespace { get; private set; } = "";

    /// <summary>Sends one ping to the host's channel address, waiting at most <paramref name="seconds"/>: true when it answered.</summary>
    public bool Reaches(string address = "169.254.169.254", int seconds = 1) =>
        Ns.Exec("busybox", "ping", "-c", "1", "-W", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), address).Code == 0;

    /// <summary>The MAC the guest's neighbour cache holds for <paramref name="address"/> (null: no entry).</summary>
    public string? NeighbourMac(string address = "169.254.169.254")
    {
        string line = Ns.Ip("neigh", "show", address, "dev", "eth0").Trim();
        int at = line.IndexOf("lladdr ", StringComparison.Ordinal);
        return at < 0 ? null : line[(at + 7)..].Split(' ')[0];
    }

    /// <summary>
    /// Runs udhcpc once (asking for <paramref name="requestIp"/> when given, as a guest
    /// renewing its address does): the lease's options, or null when no server answered.
    /// </summary>
    public Dictionary<string, string>? Dhcp(string? requestIp = null)
    {
        string file = Path.Combine(_dir, "lease-" + Guid.NewGuid().ToString("N")[..8]);
        var args = new List<string> { "udhcpc", "-i", "eth0", "-f", "-q", "-n", "-t", "3", "-T", "1", "-A", "1", "-s", Script };
        if (requestIp != null) args.AddRange(new[] { "-r", requestIp });
        var r = Ns.Exec("busybox", args, new Dictionary<string, string?> { ["LEASE_FILE"] = file }, 30_000);
        if (r.Code != 0 || !File.Exists(file)) return null;
        var lease = File.ReadAllLines(file).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        File.Delete(file);
        return lease;
    }

    /// <summary>
    /// The guest goes: its end of the pair first, which takes the host end with it at once
    /// (a namespace's own teardown is deferred by the kernel, so the host end would linger).
    /// </summary>
    public void Dispose()
    {
        Ns.Exec("ip", "link", "del", "dev", "eth0");
        Ns.Dispose();
    }
}
