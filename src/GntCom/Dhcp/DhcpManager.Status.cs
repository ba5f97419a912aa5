using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using GntCom.Config;
using GntCom.Logging;
using GntCom.Net;
using GntCom.Processes;
using GntCom.State;

namespace GntCom.Dhcp;

/// <summary>What DHCP looks like: check, the other servers the guests reach, the leases, stop and reload.</summary>
public sealed partial class DhcpManager
{
    /// <summary>How DHCP differs from what <paramref name="records"/> call for (gnt-com check).</summary>
    public List<string> Check(IReadOnlyCollection<ChannelRecord> records)
    {
        var problems = new List<string>();
        if (_cfg.Dhcp == DhcpProvider.Off) return problems;
        var want = records.Select(r => r.Mac + "," + r.Ip).ToHashSet(StringComparer.Ordinal);
        var have = ReadHosts().Select(l => l.Mac + "," + l.Ip).ToHashSet(StringComparer.Ordinal);
        if (!want.SetEquals(have))
            problems.Add("dhcp: " + HostsFile + " is out of step with the channel interfaces ("
                + want.Except(have).Count() + " missing, " + have.Except(want).Count() + " stale)");
        int pid = RunningPid();
        if (records.Count > 0 && pid == 0)
            problems.Add("dhcp: dnsmasq is not running (" + (_cfg.Dhcp == DhcpProvider.External ? "external, pid file " + PidFile : "private") + ")");
        if (records.Count == 0 && pid != 0 && _cfg.Dhcp == DhcpProvider.Dnsmasq)
            problems.Add("dhcp: dnsmasq (pid " + pid + ") runs with no channel interface left");
        if (_cfg.Dhcp == DhcpProvider.Dnsmasq)
            foreach (int extra in DnsmasqProcess.Running(ConfFile).Where(p => p != pid))
                problems.Add("dhcp: an extra dnsmasq runs GntCom's config (pid " + extra + ", left by a killed call): 'gnt-com repair' stops it");
        if (LastError is string error) problems.Add("dhcp: " + error);
        return problems;
    }

    /// <summary>Other DHCP servers that guests on the channel interfaces <paramref name="channels"/> reach (check, status).</summary>
    public List<RivalServer> Rivals(NetlinkHandle nl, IReadOnlyList<string> channels)
    {
        if (_cfg.Dhcp == DhcpProvider.Off) return new List<RivalServer>();
        var ours = ProcFd.Sockets(RunningPid());
        if (_cfg.Dhcp == DhcpProvider.Dnsmasq)
            foreach (int extra in DnsmasqProcess.Running(ConfFile)) ours.UnionWith(ProcFd.Sockets(extra)); // check names them
        var others = RivalServers.Reaching(_cfg, nl).Where(s => !ours.Contains(s.Inode)).ToList();
        return RivalServers.Owners(_cfg, nl, others, channels);
    }

    /// <summary>
    /// After a set-up: logs each other DHCP server the guests reach, once. The port-67
    /// sockets seen last time are kept in STATE/dhcp/sockets: while they stay the same (the
    /// usual case: only GntCom's dnsmasq), this costs one sock_diag dump and one small read.
    /// </summary>
    public void WarnRivals(NetlinkHandle nl, string channel)
    {
        if (_cfg.Dhcp == DhcpProvider.Off) return;
        try
        {
            var reaching = RivalServers.Reaching(_cfg, nl);
            string seen = string.Join(" ", reaching.Select(s => s.Inode).OrderBy(i => i));
            string? known = _store.DhcpDir.Read("sockets")?.Trim();
            if (known == seen) return;
            var knownSet = (known ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            var ours = ProcFd.Sockets(RunningPid());
            var fresh = reaching.Where(s => !ours.Contains(s.Inode)
                && !knownSet.Contains(s.Inode.ToString(CultureInfo.InvariantCulture))).ToList();
            foreach (var rival in RivalServers.Owners(_cfg, nl, fresh, new[] { channel }))
                if (rival.Answers) Log.Warn("dhcp: " + rival.Describe()); else Log.Info("dhcp: " + rival.Describe());
            _store.WriteHousekeeping("sockets", seen + "\n", _store.DhcpDir);
        }
        catch (GntComException)
        {
            // (no udp_diag in this kernel, say): `gnt-com check` says so; an up stays quiet.
        }
    }

    /// <summary>The number of MAC,IP pairs being served.</summary>
    public int LeaseCount() => _cfg.Dhcp == DhcpProvider.Off ? 0 : ReadHosts().Count;

    /// <summary>Stops the private dnsmasq (gnt-com dhcp stop); the next change starts it again.</summary>
    public int Stop()
    {
        if (_cfg.Dhcp != DhcpProvider.Dnsmasq) return 0;
        int pid = RunningPid();
        if (pid != 0) DnsmasqProcess.Stop(pid);
        DeleteFile(PidFile);
        _store.DhcpDir.Delete("served");
        return pid;
    }

    /// <summary>Rewrites the files and sends SIGHUP even when nothing changed (gnt-com dhcp reload).</summary>
    public void Reload(IReadOnlyCollection<ChannelRecord> records)
    {
        Sync(records);
        int pid = RunningPid();
        if (pid != 0) DnsmasqProcess.Reload(pid);
    }
}
