using System.Collections.Generic;
using System.IO;
using System.Linq;
using GntCom.Channel;
using GntCom.Config;
using GntCom.Dhcp;
using GntCom.Inputs;
using GntCom.Logging;
using GntCom.State;

namespace GntCom.Ganeti;

/// <summary>
/// Ganeti's own dnsmasq, as its ifup-os scripts run it from RUN_DIR (/var/run/ganeti):
/// dnsmasq.conf, dnsmasq.hosts (MAC,IP lines) and dnsmasq.pid. `gnt-com ganeti disable`
/// hands the guests' leases to it: their lines replace any of the same MAC or IP in its
/// hosts file (as Ganeti's script merges them), and a running one is told (SIGHUP). GntCom
/// never starts it: RUN_DIR is writable by Ganeti's daemons' group, and dnsmasq runs as
/// root what its config names; Ganeti's scripts start it again at the next instance start
/// (the guests' leases from GntCom's dnsmasq never expire by default).
/// </summary>
internal sealed class GanetiDhcp
{
    private readonly string _runDir;

    public GanetiDhcp(string runDir) => _runDir = runDir;

    private string HostsPath => Path.Combine(_runDir, "dnsmasq.hosts");
    private string ConfPath => Path.Combine(_runDir, "dnsmasq.conf");
    private string PidPath => Path.Combine(_runDir, "dnsmasq.pid");

    /// <summary>Ganeti's dnsmasq, when it runs (its executable and config checked, not just the pid file).</summary>
    private int RunningPid() => DnsmasqProcess.RunningPid(PidPath, ConfPath);

    /// <summary>The lines of the plan, for --dry-run and the report.</summary>
    public List<PlanAction> Plan(IReadOnlyCollection<ChannelRecord> live)
    {
        var plan = new List<PlanAction>();
        if (live.Count == 0) return plan;
        if (!Directory.Exists(_runDir))
        {
            plan.Add(new LeaveDhcpToGaneti("leave the guests' leases to Ganeti's scripts (there is no " + _runDir + ")"));
            return plan;
        }
        plan.Add(new AddLeasesToGaneti(live.Count, HostsPath));
        plan.Add(RunningPid() is int pid && pid != 0 ? new ReloadGanetiDnsmasq(pid)
            : new LeaveDhcpToGaneti("leave Ganeti's dnsmasq to Ganeti's scripts (they start it at the next instance start)"));
        return plan;
    }

    /// <summary>Whether a dhcp-hostsfile line (MAC,IP[,...] as Ganeti's script writes and reads them) is about <paramref name="r"/>'s MAC or IP.</summary>
    private static bool Mentions(string line, ChannelRecord r)
    {
        string[] f = line.Trim().Split(',');
        return MacAddress.TryNormalize(f[0]) == r.Mac || (f.Length > 1 && Ipv4.TryParse(f[1])?.Equals(r.Ip) == true);
    }

    /// <summary>Hands <paramref name="live"/>'s leases to Ganeti's dnsmasq. Failures are logged: the channels are Ganeti's already.</summary>
    public void TakeOver(IReadOnlyCollection<ChannelRecord> live)
    {
        if (live.Count == 0 || !Directory.Exists(_runDir)) return;
        try
        {
            using var dir = StateDirectory.OpenForeign(_runDir, "Ganeti's run directory");
            // Every line of Ganeti's kept as it is (comments, tags, lease times), but those of
            // the same MAC or IP as a guest handed over, whose own lines come first.
            var lines = (dir.Read("dnsmasq.hosts") ?? "").Split('\n').Where(l => l.Length > 0).ToList();
            lines.RemoveAll(l => live.Any(r => Mentions(l, r)));
            lines.InsertRange(0, live.Select(r => r.Mac + "," + r.Ip));
            dir.Write("dnsmasq.hosts", string.Join("\n", lines) + "\n");
            int pid = RunningPid();
            if (pid == 0) return;
            DnsmasqProcess.Reload(pid);
            Log.Info("ganeti: reloaded Ganeti's dnsmasq (pid " + pid + ")");
        }
        catch (GntComException e)
        {
            Log.Warn("ganeti: could not hand the leases to Ganeti's dnsmasq: " + e.Message + " (its scripts write them again at the next instance start)");
        }
    }
}
