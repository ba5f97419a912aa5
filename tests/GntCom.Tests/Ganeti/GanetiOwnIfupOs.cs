using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// What Ganeti's own kvm-ifup-os/xen-ifup-os leave on a node, emulated from the documented
/// steps (notes §4; no Ganeti code): the interface up with 169.254.169.254/32, `ethtool -K
/// tx off`, a route IP/32 dev IF, RUN_DIR/dnsmasq.hosts rewritten with MAC,IP first and
/// every other line whose MAC and IP both differ (never pruned), RUN_DIR/dnsmasq.conf in
/// Ganeti's format, and the dnsmasq restarted: SIGTERM to the pid file's process, wait
/// until it is gone, `dnsmasq -C RUN_DIR/dnsmasq.conf`.
/// </summary>
public sealed class GanetiOwnIfupOs
{
    private readonly GanetiNode _node;

    public GanetiOwnIfupOs(GanetiNode node, string runDir)
    {
        _node = node;
        RunDir = runDir;
        Directory.CreateDirectory(runDir);
        File.SetUnixFileMode(runDir, (UnixFileMode)0b111_101_101);
    }

    public string RunDir { get; }
    public string HostsPath => Path.Combine(RunDir, "dnsmasq.hosts");
    public string ConfPath => Path.Combine(RunDir, "dnsmasq.conf");
    public string PidPath => Path.Combine(RunDir, "dnsmasq.pid");

    /// <summary>The pid of Ganeti's dnsmasq (0 when none runs).</summary>
    public int DnsmasqPid() =>
        File.Exists(PidPath) && int.TryParse(File.ReadAllText(PidPath).Trim(), out int pid) && Processes.IsLiveDnsmasq(pid) ? pid : 0;

    /// <summary>A line Ganeti's hosts file still carries for a guest long gone (it never prunes).</summary>
    public void AddStaleHostsLine(string mac, string ip) => File.AppendAllText(HostsPath, mac + "," + ip + "\n");

    public void Up(string iface, Nic nic)
    {
        var ns = _node.Ns;
        ns.Ip("link", "set", iface, "up");
        ns.Ip("addr", "add", "169.254.169.254/255.255.255.255", "dev", iface);
        ns.Exec("ethtool", "-K", iface, "tx", "off"); // "|| true"
        if (!ns.Routes().Any(r => r.StartsWith(nic.Ip + " dev " + iface + " ", StringComparison.Ordinal)))
            ns.Ip("route", "add", nic.Ip + "/32", "dev", iface);

        var old = File.Exists(HostsPath)
            ? File.ReadAllText(HostsPath).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Distinct().OrderBy(l => l, StringComparer.Ordinal)
            : Enumerable.Empty<string>();
        var lines = new List<string> { nic.Mac + "," + nic.Ip };
        lines.AddRange(old.Where(l => l.Split(',')[0] != nic.Mac && l.Split(',').ElementAtOrDefault(1) != nic.Ip));
        File.WriteAllText(HostsPath, string.Join("\n", lines) + "\n");
        File.SetUnixFileMode(HostsPath, (UnixFileMode)0b110_100_100);

        File.WriteAllText(ConfPath, string.Join("\n", new[]
        {
            "bind-dynamic", "dhcp-authoritative", "dhcp-hostsfile=" + HostsPath, "dhcp-range=169.254.0.0,static,255.255.0.0",
            "except-interface=eth*", "except-interface=lo", "leasefile-ro", "no-hosts", "no-ping", "no-resolv",
            "pid-file=" + PidPath, "port=0", "strict-order", "interface=gnt.com.*",
        }) + "\n");
        File.SetUnixFileMode(ConfPath, (UnixFileMode)0b110_100_100);

        int pid = DnsmasqPid();
        if (pid != 0)
        {
            Proc.Must("kill", "-TERM", pid.ToString());
            if (!Background.WaitFor(() => !Processes.IsLiveDnsmasq(pid)))
                throw new InvalidOperationException("Ganeti's dnsmasq (pid " + pid + ") did not stop on SIGTERM");
            File.Delete(PidPath);
        }
        ns.Must("dnsmasq", "-C", ConfPath);
    }
}
