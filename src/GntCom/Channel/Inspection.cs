using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using GntCom.Config;
using GntCom.Dhcp;
using GntCom.Journaling;
using GntCom.Net;
using GntCom.Processes;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// Read-only looks at the whole node (status and check): every record against the links,
/// addresses, routes, sysctls and rules the kernel reports. These are the full sweeps an
/// admin asks for, so they read every record.
/// </summary>
internal sealed class Inspection
{
    private readonly Node _n;

    public Inspection(Node n) => _n = n;

    public StatusSnapshot Status()
    {
        var corrupt = new List<string>();
        var records = _n.Store.Records(corrupt);
        var links = _n.Nl.LinkList().ToDictionary(l => l.Index);
        var rows = records.Select(r =>
        {
            links.TryGetValue(r.Index, out var l);
            string state = r.Pending ? "pending" : l == null || l.Name != r.Name ? "vanished" : !l.IsUp ? "down"
                : l.HasCarrier ? "up" : "no-carrier";
            return new ChannelStatus(r, state);
        }).ToList();
        foreach (string key in Journal.Pending(_n.Store))
        {
            var steps = Journal.Read(_n.Store, key, new List<string>());
            if (steps.Count > 0 && steps[0] is ChannelHeader h && !records.Any(r => r.Name == h.Name))
                rows.Add(new ChannelStatus(h.ToRecord(), "pending"));
        }
        var rivals = new List<RivalServer>();
        var problems = Check(records, corrupt, rivals);
        int holder = HostLock.Holder(_n.Store.Directory);
        var cfg = _n.Cfg;
        var dhcp = _n.Dhcp;
        return new StatusSnapshot(_n.Store.Root, cfg.Source,
            holder != 0 ? new LockHolder(holder, ProcStat.CommandLine(holder)) : null,
            rows, _n.Store.Reservations(corrupt), corrupt, cfg.Dhcp,
            cfg.Dhcp == DhcpProvider.Off ? null : dhcp.ModeIfKnown() is DhcpMode m ? DhcpManager.ModeName(m) : "auto (not probed yet)",
            dhcp.RunningPid(), dhcp.LeaseCount(), dhcp.HostsFile, dhcp.LastError, rivals, problems)
        {
            Expected = _n.Store.ExpectedChannels(),
        };
    }

    /// <summary>Every way the host differs from GntCom's records (empty when all is well).</summary>
    public List<string> Check() 
    {
        var corrupt = new List<string>();
        var records = _n.Store.Records(corrupt);
        return Check(records, corrupt, new List<RivalServer>());
    }

    /// <summary>The problems; the other DHCP servers found are added to <paramref name="rivals"/> too (for status).</summary>
    private List<string> Check(List<ChannelRecord> records, List<string> corrupt, List<RivalServer> rivals)
    {
        var cfg = _n.Cfg;
        var nl = _n.Nl;
        var problems = new List<string>(corrupt);
        foreach (string key in Journal.Pending(_n.Store))
            problems.Add(key + ": set-up never finished (its run was killed; the next call rolls it back)");
        if (_n.Store.Layout < StateStore.CurrentLayout && records.Count > 0)
            problems.Add("state: written by GntCom before 0.2 (the next call or 'gnt-com repair' migrates it)");
        foreach (string legacy in Isolation.Legacy(nl))
            problems.Add("isolation: per-channel rule '" + legacy + "' of GntCom before 0.2 remains");

        var links = nl.LinkList();
        var view = new CheckView(_n, links.ToDictionary(l => l.Index), nl.AddrList(AddressFamily.InterNetwork),
            nl.RouteList(AddressFamily.InterNetwork, Route.MainTable),
            cfg.Dhcp != DhcpProvider.Off && _n.Dhcp.ModeIfKnown() == Config.DhcpMode.BindInterfaces, // no probing here
            cfg.Address);
        var live = new List<ChannelRecord>();
        foreach (var r in records)
        {
            if (r.Pending) { problems.Add(r.Name + ": set-up never finished (its run was killed)"); continue; }
            if (!view.Links.TryGetValue(r.Index, out var link) || link.Name != r.Name)
            {
                problems.Add(r.Name + ": the interface is gone but its state remains");
                continue;
            }
            live.Add(r);
            ConfiguredChannel.Check(view, r, problems);
        }
        if (live.Count > 0)
        {
            problems.AddRange(Isolation.Check(nl, cfg.Network));
            if (Sysctl.Exists("net/ipv4/conf/all/rp_filter") && Sysctl.Read("net/ipv4/conf/all/rp_filter") == "2")
                problems.Add("net.ipv4.conf.all.rp_filter is 2 (loose), which overrides the channel interfaces' 1: a guest could use another guest's IP; set it to 0 or 1");
        }
        var recorded = records.Select(r => r.Name).ToHashSet();
        var reserved = _n.Store.ReservationNames().ToHashSet();
        var noted = _n.Store.Notes().Select(x => x.Name).ToHashSet();
        // One that is down, unaddressed and unrouted carries nothing a guest could use (a
        // persistent tap after its down, a tap Ganeti opened before its ifup): not a problem.
        // Nor are they GntCom's to record where Ganeti's own scripts set them up (GntCom is
        // not enabled for Ganeti, or was disabled).
        bool ganetis = links.Any(l => cfg.IsChannelName(l.Name) && !recorded.Contains(l.Name)) && Ganeti.GanetiShims.GanetisScriptsInPlace(cfg);
        foreach (var l in links)
            if (!ganetis && cfg.IsChannelName(l.Name) && !recorded.Contains(l.Name) && !reserved.Contains(l.Name) && !noted.Contains(l.Name)
                && (l.IsUp || view.Addrs.Any(a => a.Index == l.Index) || view.Routes.Any(rt => rt.OutputIndex == l.Index)))
                problems.Add(l.Name + ": a channel-named interface GntCom has no record of (set it up with gnt-com-ifup; on a Ganeti node, 'gnt-com ganeti enable')");
        try
        {
            problems.AddRange(_n.Dhcp.Check(live));
            rivals.AddRange(_n.Dhcp.Rivals(nl, live.Count > 0 ? live.Select(r => r.Name).ToList() : new List<string> { cfg.ChannelName(0) }));
            foreach (var rival in rivals.Where(r => r.Answers)) problems.Add("dhcp: " + rival.Describe());
        }
        catch (GntComException e)
        {
            problems.Add("dhcp: " + e.Message);
        }
        problems.AddRange(Ganeti.GanetiShims.Check(cfg));
        return problems;
    }
}
