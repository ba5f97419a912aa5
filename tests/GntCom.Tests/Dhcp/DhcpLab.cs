using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;

namespace GntCom.Tests.Dhcp;

/// <summary>
/// A host namespace running GntCom's dnsmasq, and guests in namespaces of their own behind
/// veth pairs (host end vifK, guest end eth0 with the guest's MAC) that ask for leases with
/// busybox udhcpc.
/// </summary>
public sealed class DhcpLab : IDisposable
{
    private readonly List<NetNs> _guests = new();
    private int _next;

    public DhcpLab(string config = "")
    {
        Host = new Host(config);
        File.WriteAllText(ScriptPath, "#!/bin/sh\n[ \"$1\" = bound ] || exit 0\n" +
            "{ echo \"ip=$ip\"; echo \"subnet=$subnet\"; echo \"router=$router\"; echo \"dns=$dns\"; echo \"serverid=$serverid\"; echo \"lease=$lease\"; } > \"$LEASE_FILE\"\n");
        File.SetUnixFileMode(ScriptPath, (UnixFileMode)0b111_101_101);
    }

    public Host Host { get; }
    private string ScriptPath => Path.Combine(Host.Sandbox.Dir, "udhcpc.script");

    public sealed record Guest(NetNs Ns, string HostEnd, string Mac);

    /// <summary>A guest behind a new veth pair; the host end is left for gnt-com-ifup.</summary>
    public Guest AddGuest(string mac)
    {
        var ns = new NetNs("g" + _next);
        _guests.Add(ns);
        string hostEnd = "vif" + _next++;
        Host.Ns.Ip("link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", ns.Name);
        ns.Ip("link", "set", "eth0", "address", mac);
        ns.Ip("link", "set", "eth0", "up");
        return new Guest(ns, hostEnd, mac);
    }

    /// <summary>Runs udhcpc once in the guest: the options of the lease it got, or null when it got none.</summary>
    public Dictionary<string, string>? Lease(NetNs guest, string iface = "eth0", int tries = 3)
    {
        string file = Path.Combine(Host.Sandbox.Dir, "lease-" + guest.Name + "-" + Guid.NewGuid().ToString("N")[..6]);
        var r = guest.Exec("busybox", new[] { "udhcpc", "-i", iface, "-f", "-q", "-n", "-t", tries.ToString(), "-T", "1", "-A", "1", "-s", ScriptPath },
            new Dictionary<string, string?> { ["LEASE_FILE"] = file }, 30_000);
        if (r.Code != 0 || !File.Exists(file)) return null;
        return File.ReadAllLines(file).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
    }

    public Dictionary<string, string> MustLease(Guest g)
    {
        var lease = Lease(g.Ns) ?? throw new InvalidOperationException("guest " + g.Mac + " got no lease; dnsmasq: " + DhcpStatus());
        return lease;
    }

    public ProcResult Up(Guest g, string ip) => Host.Ifup(g.HostEnd, ip, g.Mac);

    public string DhcpStatus() => Host.Admin("dhcp", "status").Out.Trim();

    public string HostsFile => File.ReadAllText(Path.Combine(Host.StateRoot, "dhcp", "dnsmasq.hosts"));

    /// <summary>The pid of the dnsmasq serving the channel (0 when none).</summary>
    public int DnsmasqPid()
    {
        string pidFile = Path.Combine(Host.StateRoot, "dhcp", "dnsmasq.pid");
        if (!File.Exists(pidFile)) return 0;
        int pid = int.Parse(File.ReadAllText(pidFile).Trim());
        return Directory.Exists("/proc/" + pid) ? pid : 0;
    }

    public void Dispose()
    {
        foreach (var g in _guests) g.Dispose();
        Host.Dispose();
    }
}
