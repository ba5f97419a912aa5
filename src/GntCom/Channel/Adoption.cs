using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using GntCom.Config;
using GntCom.Inputs;
using GntCom.Logging;
using GntCom.Net;
using GntCom.Processes;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>What `gnt-com adopt` did (or, with --dry-run, would do).</summary>
public sealed record AdoptionPlan(List<string> Actions, List<string> Skipped, List<string> Failed, bool DryRun)
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
    private readonly ChannelSetup _setup;
    private readonly Naming _naming;

    public Adoption(Node n, ChannelSetup setup, Naming naming)
    {
        _n = n;
        _setup = setup;
        _naming = naming;
    }

    private sealed record Candidate(Link Link, ChannelRecord Record, List<Route> Routes);

    public AdoptionPlan Run(string runDir, bool dryRun)
    {
        runDir = GntComConfig.AbsolutePath(runDir, "--ganeti-run-dir");
        var cfg = _n.Cfg;
        var actions = new List<string>();
        var skipped = new List<string>();
        // Ganeti's run directory is writable by its daemons' group: read with every care.
        string hostsPath = Path.Combine(runDir, "dnsmasq.hosts");
        string? hostsText = Interop.Libc.ReadForeignFile(Interop.Libc.AT_FDCWD, hostsPath, 1 << 20, followLast: false);
        bool hostsUnreadable = hostsText == null && Interop.Libc.FStatAt(Interop.Libc.AT_FDCWD, hostsPath, out _, Interop.Libc.AT_SYMLINK_NOFOLLOW) == 0;
        var macs = HostsFile.ByIp(hostsText);
        var unreadable = new List<string>();
        var candidates = new List<Candidate>();

        foreach (var link in _n.Nl.LinkList().Where(l => cfg.IsChannelName(l.Name)).OrderBy(l => cfg.ChannelIndex(l.Name)))
        {
            if (_n.Store.Record(link.Name) is ChannelRecord mine && mine.Index == link.Index)
            {
                skipped.Add(link.Name + ": already a GntCom channel");
                continue;
            }
            string? why = Eligibility.Describe(link);
            if (why != null) { skipped.Add(link.Name + ": is " + why); continue; }
            if (!_n.Nl.AddrList(AddressFamily.InterNetwork, link.Index).Any(a => a.Address.Equals(cfg.Address) && a.PrefixLength == 32))
            {
                skipped.Add(link.Name + ": has no " + cfg.Address + "/32 (not configured by Ganeti's ifup-os)");
                continue;
            }
            var routes = _n.Nl.RouteList(AddressFamily.InterNetwork, Route.MainTable, link.Index);
            var guest = routes.Where(r => r.PrefixLength == 32 && cfg.Network.Contains(r.Destination)).ToList();
            if (guest.Count != 1)
            {
                skipped.Add(link.Name + ": has " + (guest.Count == 0 ? "no" : guest.Count.ToString(CultureInfo.InvariantCulture)) + " /32 route(s) to a guest in " + cfg.Network);
                continue;
            }
            IPAddress ip = guest[0].Destination;
            if (!macs.TryGetValue(ip.ToString(), out string? mac))
            {
                if (hostsUnreadable) unreadable.Add(link.Name + ": its guest's MAC is unknown: " + hostsPath + " is no regular file of at most 1 MiB");
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
            candidates.Add(new Candidate(link, record, routes));
            actions.Add("adopt " + link.Name + ": ip=" + ip + " mac=" + mac + " (" + record.KindName + ")");
        }

        int ganetiPid = Dhcp.DnsmasqProcess.RunningPid(Path.Combine(runDir, "dnsmasq.pid"), Path.Combine(runDir, "dnsmasq.conf"));
        if (ganetiPid != 0) actions.Add("stop Ganeti's dnsmasq (pid " + ganetiPid + ", " + Path.Combine(runDir, "dnsmasq.pid") + ")");
        if (cfg.Dhcp != DhcpProvider.Off && (candidates.Count > 0 || ganetiPid != 0))
            actions.Add("serve the guests' leases from GntCom's dnsmasq");
        // A channel of Ganeti's that cannot be adopted keeps Ganeti's dnsmasq: as a failure.
        var failed = new List<string>(unreadable);
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
                actions.Remove(actions.First(a => a.StartsWith("adopt " + c.Link.Name + ":", StringComparison.Ordinal)));
                failed.Add(c.Link.Name + ": " + e.Message);
            }
        }
        if (failed.Count > 0)
        {
            // Ganeti's dnsmasq still serves every guest, the ones not adopted included: it
            // stays until a later adopt takes them all.
            actions.RemoveAll(a => a.StartsWith("stop Ganeti's dnsmasq", StringComparison.Ordinal) || a.StartsWith("serve the guests'", StringComparison.Ordinal));
            var partial = new AdoptionPlan(actions, skipped, failed, false);
            partial.Adopted.AddRange(adopted);
            return partial;
        }
        if (ganetiPid != 0)
        {
            Dhcp.DnsmasqProcess.Stop(ganetiPid);
            Log.Info("stopped Ganeti's dnsmasq (pid " + ganetiPid + ")");
        }
        if (cfg.Dhcp != DhcpProvider.Off)
        {
            var live = _n.Store.Records().Where(r => !r.Pending && _n.Nl.LinkByIndex(r.Index)?.Name == r.Name).ToList();
            _n.Dhcp.Sync(live);
        }
        var plan = new AdoptionPlan(actions, skipped, failed, false);
        plan.Adopted.AddRange(adopted);
        return plan;
    }

    private ChannelRecord Adopt(Candidate c)
    {
        var record = c.Record;
        using var journal = _setup.Begin(record);
        ChannelSetup.Transact(_n, journal, () =>
        {
            _naming.Claim(journal, record.Ip, record.Mac, record.Name);
            record = _setup.Configure(new Steps(_n.Nl, journal), c.Link, record, c.Routes);
            _setup.Finish(journal, record, null);
        });
        Log.Info("adopted " + record.Describe());
        return record;
    }
}
