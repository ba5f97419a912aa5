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

/// <summary>
/// Another process where the channel's guests ask for DHCP: its pid, its command, where it
/// listens. <see cref="Answers"/>: it answers them (a dnsmasq whose options serve a channel
/// interface, or anything bound to one): a problem for `gnt-com check`. Otherwise it is a
/// program GntCom cannot read (ISC dhcpd, Kea) bound to every interface: it receives the
/// guests' requests, and status says so.
/// </summary>
public sealed record RivalServer(int Pid, string Command, string Where, bool Answers)
{
    /// <summary>One line for check, status and the log: who, where, and what to run.</summary>
    public string Describe() => Answers
        ? "another DHCP server answers the guests on the channel interfaces: pid " + Pid + " (" + Command + "), " + Where
          + "; guests get an answer from each (a NAK races every lease): "
          + (Command.Contains("/ganeti/", StringComparison.Ordinal)
              ? "it is Ganeti's own dnsmasq: run 'gnt-com ganeti enable'"
              : "stop it, or keep it off the channel interfaces (dnsmasq: except-interface=gnt.com.*)")
        : "another program receives the guests' DHCP requests: pid " + Pid + " (" + Command + "), " + Where
          + "; make sure it does not answer them (it must serve no network that holds the channel's address)";
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

    /// <summary>Who holds <paramref name="sockets"/> (none of them GntCom's), as seen on the channel interfaces <paramref name="channels"/>.</summary>
    public static List<RivalServer> Owners(GntComConfig cfg, NetlinkHandle nl, IReadOnlyList<UdpSocket> sockets, IReadOnlyList<string> channels)
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
            bool answers = true;
            if (s.BoundIndex == 0)
            {
                // Bound to every interface: a dnsmasq's own options say whether it answers on
                // a channel interface (its files read as its own root sees them).
                string root = "/proc/" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/root";
                string[] argv = ProcStat.Arguments(pid);
                bool dnsmasq = Path.GetFileName(ProcStat.Executable(pid) ?? "") == "dnsmasq";
                if (dnsmasq)
                {
                    var options = DnsmasqOptions.Parse(argv, p => ReadConf(root, p), p => ListDir(root, p));
                    if (!channels.Any(c => options.ServesDhcpOn(c, cfg.Address.ToString()))) continue;
                }
                else answers = false;
            }
            string where = s.BoundIndex != 0
                ? "bound to UDP " + DhcpPort + " on " + (nl.LinkByIndex(s.BoundIndex)?.Name ?? "#" + s.BoundIndex)
                : "bound to UDP " + DhcpPort + " on every interface";
            rivals.Add(new RivalServer(pid, ProcStat.CommandLine(pid), where, answers));
        }
        return rivals;
    }

    /// <summary>Another program's config file, read as root: a regular file of at most 1 MiB (no FIFO, no device), else nothing.</summary>
    private static string? ReadConf(string root, string path) =>
        path.StartsWith('/') ? Interop.Libc.ReadForeignFile(Interop.Libc.AT_FDCWD, root + path, MaxConfBytes, followLast: true) : null;

    private static IEnumerable<string> ListDir(string root, string dir)
    {
        if (!dir.StartsWith('/')) return Array.Empty<string>();
        try { return Directory.GetFiles(root + dir).Select(Path.GetFileName).OfType<string>().Take(256).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Array.Empty<string>(); }
    }
}
