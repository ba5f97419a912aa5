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
        Ns.Ip("link", "set", "eth0", "address", mac);
        Ns.Ip("link", "set", "eth0", "up");
        File.WriteAllText(Script, "#!/bin/sh\ncase \"$1\" in\n  bound|renew)\n" +
            "    ip addr flush dev \"$interface\"\n    ip addr add \"$ip/$mask\" dev \"$interface\"\n" +
            "    { echo \"ip=$ip\"; echo \"serverid=$serverid\"; } > \"$LEASE_FILE\" ;;\nesac\nexit 0\n");
        File.SetUnixFileMode(Script, (UnixFileMode)0b111_101_101);
    }

    public NetNs Ns { get; }
    public string HostEnd { get; }
    public string Mac { get; }
    private string Script => Path.Combine(_dir, "udhcpc-guest.script");

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
