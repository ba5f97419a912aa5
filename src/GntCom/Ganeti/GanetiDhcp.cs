using System.Collections.Generic;
using System.IO;
using System.Linq;
using GntCom.Config;
using GntCom.Dhcp;
using GntCom.Inputs;
using GntCom.Logging;
using GntCom.State;

namespace GntCom.Ganeti;

/// <summary>
/// Ganeti's own dnsmasq, as its ifup-os scripts run it from RUN_DIR (/var/run/ganeti):
/// dnsmasq.conf (bind-dynamic, interface=gnt.com.*), dnsmasq.hosts (MAC,IP lines) and
/// dnsmasq.pid. `gnt-com ganeti disable` hands the guests' leases to it: their lines
/// replace any of the same MAC or IP in its hosts file (as Ganeti's script merges them),
/// and it is started again from its own config, or reloaded if it runs.
/// </summary>
internal sealed class GanetiDhcp
{
    private readonly GntComConfig _cfg;
    private readonly string _runDir;

    public GanetiDhcp(GntComConfig cfg, string runDir)
    {
        _cfg = cfg;
        _runDir = runDir;
    }

    private string HostsPath => Path.Combine(_runDir, "dnsmasq.hosts");
    private string ConfPath => Path.Combine(_runDir, "dnsmasq.conf");
    private string PidPath => Path.Combine(_runDir, "dnsmasq.pid");

    /// <summary>Whether Ganeti's scripts ever wrote their dnsmasq config here.</summary>
    public bool HasConfig => File.Exists(ConfPath);

    /// <summary>The lines of the plan, for --dry-run and the report.</summary>
    public List<string> Plan(IReadOnlyCollection<ChannelRecord> live)
    {
        var plan = new List<string>();
        if (live.Count > 0 && Directory.Exists(_runDir)) plan.Add("add " + live.Count + " guest lease(s) to " + HostsPath);
        if (!HasConfig)
            plan.Add("leave Ganeti's dnsmasq to the next instance start (there is no " + ConfPath + " yet)");
        else if (DnsmasqProcess.RunningPid(PidPath, null) is int pid && pid != 0)
            plan.Add("reload Ganeti's dnsmasq (pid " + pid + ")");
        else
            plan.Add("start Ganeti's dnsmasq (" + _cfg.Dnsmasq + " -C " + ConfPath + ")");
        return plan;
    }

    /// <summary>Serves <paramref name="live"/>'s leases from Ganeti's dnsmasq. Failures are logged: the channels are Ganeti's already.</summary>
    public void TakeOver(IReadOnlyCollection<ChannelRecord> live)
    {
        try
        {
            if (live.Count > 0 && Directory.Exists(_runDir))
            {
                using var dir = StateDirectory.OpenForeign(_runDir, "Ganeti's run directory");
                var hosts = HostsFile.Parse(dir.Read("dnsmasq.hosts"));
                hosts.RemoveAll(h => live.Any(r => r.Mac == h.Mac || r.Ip.ToString() == h.Ip));
                hosts.InsertRange(0, live.Select(r => (r.Mac, r.Ip.ToString())));
                dir.Write("dnsmasq.hosts", DnsmasqConfig.Hosts(hosts));
            }
            if (!HasConfig) return;
            int pid = DnsmasqProcess.RunningPid(PidPath, null);
            if (pid != 0)
            {
                DnsmasqProcess.Reload(pid);
                Log.Info("ganeti: reloaded Ganeti's dnsmasq (pid " + pid + ")");
                return;
            }
            // dnsmasq runs as root what its config names (dhcp-script=...): only a config
            // that root alone could have written, as Ganeti's script writes it.
            if (FileTrust.FileRefusal("Ganeti's dnsmasq config", ConfPath, checkDirectory: false) is string why)
            {
                Log.Warn("ganeti: not starting Ganeti's dnsmasq: " + why);
                return;
            }
            DnsmasqProcess.Start(_cfg.Dnsmasq, ConfPath);
            Log.Info("ganeti: started Ganeti's dnsmasq (" + ConfPath + ", pid " + DnsmasqProcess.RunningPid(PidPath, null) + ")");
        }
        catch (GntComException e)
        {
            Log.Warn("ganeti: could not hand the leases to Ganeti's dnsmasq: " + e.Message + " (its scripts restart it at the next instance start)");
        }
    }
}
