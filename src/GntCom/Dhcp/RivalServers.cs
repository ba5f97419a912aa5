using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using GntCom.Config;
using GntCom.Inputs;
using GntCom.Net;
using GntCom.Processes;

namespace GntCom.Dhcp;

/// <summary>Another process answering DHCP where the channel's guests ask: its pid, its command, where it listens.</summary>
public sealed record RivalServer(int Pid, string Command, string Where)
{
    /// <summary>One line for check and the log: who, where, and what to run.</summary>
    public string Describe() =>
        "another DHCP server answers the guests on the channel interfaces: pid " + Pid + " (" + Command + "), " + Where
        + "; guests get an answer from each (a NAK races every lease): "
        + (Command.Contains("/ganeti/", StringComparison.Ordinal)
            ? "it is Ganeti's own dnsmasq: run 'gnt-com ganeti enable'"
            : "stop it, or keep it off the channel interfaces (dnsmasq: except-interface=gnt.com.*)");
}

/// <summary>
/// Finds DHCP servers other than GntCom's that guests on the channel interfaces reach:
/// a UDP socket on port 67 (sock_diag) bound to a channel interface, or to no device and
/// to an address a DHCP request arrives at (any, broadcast, or the channel's own), held by
/// a process other than GntCom's dnsmasq. A dnsmasq bound to every interface is one only
/// when its own options have it answer on the channel interfaces (<see cref="DnsmasqOptions"/>).
/// </summary>
internal static class RivalServers
{
    public const int DhcpPort = 67;
    private const int MaxConfBytes = 1 << 20;

    /// <summary>The port-67 sockets that requests arriving on a channel interface reach, GntCom's own included.</summary>
    public static List<UdpSocket> Reaching(GntComConfig cfg, NetlinkHandle nl)
    {
        var list = new List<UdpSocket>();
        foreach (var s in SockDiag.UdpList(DhcpPort))
        {
            if (!(s.Local.Equals(IPAddress.Any) || s.Local.Equals(IPAddress.Broadcast) || s.Local.Equals(cfg.Address))) continue;
            if (s.BoundIndex != 0 && !(nl.LinkByIndex(s.BoundIndex) is Link l && cfg.IsChannelName(l.Name))) continue;
            list.Add(s);
        }
        return list;
    }

    /// <summary>Who holds <paramref name="sockets"/> (none of them GntCom's), as seen on channel interface <paramref name="channel"/>.</summary>
    public static List<RivalServer> Owners(GntComConfig cfg, NetlinkHandle nl, IReadOnlyList<UdpSocket> sockets, string channel)
    {
        var rivals = new List<RivalServer>();
        if (sockets.Count == 0) return rivals;
        var owners = ProcFd.Owners(sockets.Select(s => s.Inode).ToList());
        foreach (var s in sockets)
        {
            // A socket no process holds any more is closing: nobody answers through it.
            if (!owners.TryGetValue(s.Inode, out var pids)) continue;
            int pid = pids.Min();
            if (rivals.Any(r => r.Pid == pid)) continue;
            string[] argv = ProcStat.Arguments(pid);
            if (s.BoundIndex == 0 && argv.Length > 0 && Path.GetFileName(argv[0]) == "dnsmasq"
                && !DnsmasqOptions.Parse(argv, ReadConf, ListDir).ServesDhcpOn(channel, cfg.Address.ToString()))
                continue;
            string where = s.BoundIndex != 0
                ? "bound to UDP " + DhcpPort + " on " + (nl.LinkByIndex(s.BoundIndex)?.Name ?? "#" + s.BoundIndex)
                : "bound to UDP " + DhcpPort + " on every interface";
            rivals.Add(new RivalServer(pid, ProcStat.CommandLine(pid), where));
        }
        return rivals;
    }

    /// <summary>Another program's config file, read as root: a regular file of at most 1 MiB, else nothing.</summary>
    private static string? ReadConf(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.LinkTarget != null && !File.Exists(info.LinkTarget) || info.Length > MaxConfBytes) return null;
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<string> ListDir(string dir)
    {
        try { return Directory.GetFiles(dir).Select(Path.GetFileName).OfType<string>().ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Array.Empty<string>(); }
    }
}
