using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using GntCom.Config;
using GntCom.Hooks;
using GntCom.Inputs;
using GntCom.Journaling;
using GntCom.Logging;
using GntCom.Net;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>What `gnt-com adopt` did (or, with --dry-run, would do).</summary>
public sealed record AdoptionPlan(List<PlanAction> Actions, List<string> Skipped, List<string> Failed, bool DryRun)
{
    /// <summary>The channels this run adopted (a failed `ganeti enable` hands them back).</summary>
    public List<ChannelRecord> Adopted { get; } = new();
}

/// <summary>
/// Takes over a live node whose channel interfaces Ganeti's own ifup-os scripts configured:
/// each `gnt.com.N` carrying 169.254.169.254/32 and one /32 route to its guest becomes a
/// GntCom channel (MAC from Ganeti's hosts file, by IP), gets GntCom's hardening, and
/// Ganeti's dnsmasq (its pid file in the run directory) gives way to GntCom's, which
/// serves the same static leases, so running guests keep their addresses on renewal.
/// Interfaces GntCom already records are left as they are: adopting twice changes nothing.
/// </summary>
internal sealed class Adoption
{
    private readonly Node _n;
    private readonly Naming _naming;

    public Adoption(Node n, Naming naming)
    {
        _n = n;
        _naming = naming;
    }

    private sealed record Candidate(Link Link, ChannelRecord Record, List<Route> Routes, AdoptChannel Action);

    public AdoptionPlan Run(string runDir, bool dryRun)
    {
        runDir = GntComConfig.AbsolutePath(runDir, "--ganeti-run-dir");
        var skipped = new List<string>();
        var failed = new List<string>();
        var candidates = Survey(runDir, skipped, failed);
        var actions = new List<PlanAction>(candidates.Select(c => c.Action));
        int ganetiPid = Dhcp.DnsmasqProcess.RunningPid(Path.Combine(runDir, "dnsmasq.pid"), Path.Combine(runDir, "dnsmasq.conf"));
        if (ganetiPid != 0) actions.Add(new StopGanetiDnsmasq(ganetiPid, Path.Combine(runDir, "dnsmasq.pid")));
        if (_n.Cfg.Dhcp != DhcpProvider.Off && (candidates.Count > 0 || ganetiPid != 0)) actions.Add(new ServeLeases());
        if (dryRun) return new AdoptionPlan(actions, skipped, failed, true);

        var adopted = new List<ChannelRecord>();
        foreach (var c in candidates)
        {
            try
            {
                adopted.Add(Adopt(c));
            }
            catch (GntComException e)
            {
                actions.Remove(c.Action);
                failed.Add(c.Link.Name + ": " + e.Message);
            }
        }
        // A channel of Ganeti's that cannot be adopted keeps Ganeti's dnsmasq (it serves
        // every guest, the ones not adopted included) until a later adopt takes them all.
        if (failed.Count > 0) actions.RemoveAll(a => a is StopGanetiDnsmasq or ServeLeases);
        else TakeOverDhcp(ganetiPid);
        var plan = new AdoptionPlan(actions, skipped, failed, false);
        plan.Adopted.AddRange(adopted);
        return plan;
    }

    /// <summary>The channel-named interfaces Ganeti's scripts configured, each with its guest; the others are named in <paramref name="skipped"/>.</summary>
    private List<Candidate> Survey(string runDir, List<string> skipped, List<string> failed)
    {
        var cfg = _n.Cfg;
        // Ganeti's run directory is writable by its daemons' group: read with every care.
        string hostsPath = Path.Combine(runDir, "dnsmasq.hosts");
        string? hostsText = Interop.Libc.ReadForeignFile(Interop.Libc.AT_FDCWD, hostsPath, 1 << 20, followLast: false);
        bool hostsUnreadable = hostsText == null && Interop.Libc.FStatAt(Interop.Libc.AT_FDCWD, hostsPath, out _, Interop.Libc.AT_SYMLINK_NOFOLLOW) == 0;
        var macs = HostsFile.ByIp(hostsText);
        var candidates = new List<Candidate>();
        foreach (var link in _n.Nl.LinkList().Where(l => cfg.IsChannelName(l.Name)).OrderBy(l => cfg.ChannelIndex(l.Name)))
        {
            if (_n.Store.Record(link.Name) is ChannelRecord mine && mine.Index == link.Index)
            {
                skipped.Add(link.Name + ": already a GntCom channel");
                continue;
            }
            var routes = _n.Nl.RouteList(AddressFamily.InterNetwork, Route.MainTable, link.Index);
            string? why = WhyNotAdoptable(link, routes, out IPAddress? ip);
            if (why != null) { skipped.Add(link.Name + ": " + why); continue; }
            if (!macs.TryGetValue(ip!.ToString(), out string? mac))
            {
                if (hostsUnreadable) failed.Add(link.Name + ": its guest's MAC is unknown: " + hostsPath + " is no regular file of at most 1 MiB");
                else skipped.Add(link.Name + ": its guest " + ip + " is not in " + hostsPath);
                continue;
            }
            var held = _naming.Holders(ip, mac, link.Name);
            if (held.Count > 0)
            {
                skipped.Add(link.Name + ": " + (held[0].Kind == ClaimKind.Ip ? "IP " : "MAC ") + held[0].Value + " is already " + held[0].Holder + "'s");
                continue;
            }
            var record = new ChannelRecord
            {
                Name = link.Name, Original = link.Name, Index = link.Index, Ip = ip, Mac = mac,
                Kind = link.Kind == "tun" ? ChannelKind.Tap : ChannelKind.Vif,
            };
            candidates.Add(new Candidate(link, record, routes, new AdoptChannel(link.Name, ip, mac, record.Kind)));
        }
        return candidates;
    }

    /// <summary>Why the interface is not a channel Ganeti's scripts configured (null when it is; then <paramref name="ip"/> is its guest's).</summary>
    private string? WhyNotAdoptable(Link link, List<Route> routes, out IPAddress? ip)
    {
        ip = null;
        if (Eligibility.Describe(link) is string what) return "is " + what;
        if (!AddressPart.IsOn(_n, link)) return "has no " + _n.Cfg.Address + "/32 (not configured by Ganeti's ifup-os)";
        var guest = routes.Where(r => r.PrefixLength == 32 && _n.Cfg.Network.Contains(r.Destination)).ToList();
        if (guest.Count != 1)
            return "has " + (guest.Count == 0 ? "no" : guest.Count.ToString(CultureInfo.InvariantCulture)) + " /32 route(s) to a guest in " + _n.Cfg.Network;
        ip = guest[0].Destination;
        return null;
    }

    private ChannelRecord Adopt(Candidate c)
    {
        using var tx = Transaction.Begin(_n, c.Record.Name, ChannelHeader.Of(c.Record), HookCaller.Caller());
        var s = new SetUp(tx, c.Link, c.Record, c.Routes);
        tx.Run(() => ConfiguredChannel.Configure(s, ConfiguredChannel.ForAdoption));
        Log.Info("adopted " + s.Record.Describe());
        return s.Record;
    }

    /// <summary>Ganeti's dnsmasq gives way to GntCom's, serving every live channel.</summary>
    private void TakeOverDhcp(int ganetiPid)
    {
        if (ganetiPid != 0)
        {
            Dhcp.DnsmasqProcess.Stop(ganetiPid);
            Log.Info("stopped Ganeti's dnsmasq (pid " + ganetiPid + ")");
        }
        if (_n.Cfg.Dhcp == DhcpProvider.Off) return;
        _n.Dhcp.Sync(_n.Store.Records().Where(r => !r.Pending && _n.Nl.LinkByIndex(r.Index)?.Name == r.Name).ToList());
    }
}
