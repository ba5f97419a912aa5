using System.Collections.Generic;
using System.Globalization;
using System.Net;
using GntCom.Hooks;
using GntCom.Logging;
using GntCom.Net;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// What a channel interface gets, and how it loses it: the one implementation of the
/// set-up steps and the teardown, used by every entry point (qemu, Ganeti, Xen, repair).
/// </summary>
internal sealed class ChannelSetup
{
    private readonly Node _n;

    public ChannelSetup(Node n) => _n = n;

    /// <summary>
    /// Names the interface, brings it up, gives it the channel address, routes the guest's
    /// IP to it and hardens it (rp_filter=1 against spoofing, IPv6 off, tx checksum offload
    /// off, the shared isolation rules). Each step is journaled. Returns the record as
    /// configured (with its IPv6 address in bind-interfaces mode).
    /// </summary>
    public ChannelRecord Configure(Steps s, Link link, ChannelRecord record, IReadOnlyList<Route> routesOnLink)
    {
        var cfg = _n.Cfg;
        link = s.LinkSetName(link, record.Name);
        link = s.LinkSetUp(link);
        s.AddrAdd(link, cfg.Address, 32);
        s.RouteAdd(HostRoute(record.Ip, link.Index), link.Name, routesOnLink);
        s.SysctlSet("ipv4", link, "rp_filter", "1");
        s.TxChecksumOff(link);

        string v6key = Sysctl.InterfaceKey("ipv6", link.Name, "disable_ipv6");
        bool needsV6 = false;
        try
        {
            needsV6 = _n.Dhcp.NeedsInterfaceIpv6;
        }
        catch (GntComException) when (!cfg.DhcpRequired)
        {
            // dnsmasq cannot even be asked its mode: the DHCP step reports it (not fatal by default).
        }
        if (needsV6)
        {
            // bind-interfaces: dnsmasq binds per interface and needs an address unique to each.
            s.SysctlSet("ipv6", link, "disable_ipv6", "0");
            var v6 = Dhcp.DhcpManager.InterfaceIpv6(cfg.ChannelIndex(record.Name));
            s.AddrAdd(link, v6, 64, NetlinkHandle.AddrNoDad);
            s.Journal.Add(JournalEntry.Of("isolation6", record.Name));
            Isolation.AddIpv6Rule(_n.Nl, record.Name);
            record = record with { Ipv6 = v6 };
        }
        else if (Sysctl.Exists(v6key))
        {
            s.SysctlSet("ipv6", link, "disable_ipv6", "1");
        }

        if (!_n.Store.HasRecords()) s.Journal.Add(JournalEntry.Of("isolation"));
        Isolation.Ensure(_n.Nl, cfg.Network);
        return record;
    }

    /// <summary>
    /// Runs <paramref name="steps"/> as one transaction: committed when they complete,
    /// reverted exactly from the journal on any exception (the next call does it after a kill).
    /// </summary>
    public static void Transact(Node n, Journal journal, System.Action steps)
    {
        try
        {
            steps();
            journal.Commit();
        }
        finally
        {
            if (!journal.Committed)
            {
                Rollback.Run(n, journal.Entries, forCaller: true);
                journal.Discard();
            }
        }
    }

    /// <summary>The end of a set-up: the ifup hooks (each hook's group journaled), then the record and its origin.</summary>
    public void Finish(Journal journal, ChannelRecord record, IReadOnlyDictionary<string, string>? hookEnv)
    {
        string ifup = System.IO.Path.Combine(_n.Cfg.HooksDir, "ifup.d");
        if (HookRunner.List(ifup).Count > 0)
        {
            journal.Add(JournalEntry.Of("hooks"));
            HookRunner.RunAll(ifup, HookEnvironment(record, "up", hookEnv), _n.Cfg.HookTimeout, mustSucceed: true,
                started: (pgid, start) => journal.Add(JournalEntry.Of("hookpg", pgid, start)));
        }
        journal.Add(JournalEntry.Of("record", record.Name));
        _n.Store.Save(record);
        journal.Add(JournalEntry.Of("origin", record.Original, record.Owner, record.Name));
        _n.Store.SaveOrigin(record.Original, record.Owner, record.Name);
    }

    /// <summary>The journal of a channel's set-up, headed by what the channel is.</summary>
    public Journal Begin(ChannelRecord r) =>
        Journal.Begin(_n.Store, r.Name, JournalEntry.Of("channel", r.Name, r.Index, r.Original, r.Ip, r.Mac, r.KindName, r.Instance));

    public static Route HostRoute(IPAddress ip, int index) => new()
    {
        Destination = ip, PrefixLength = 32, OutputIndex = index,
        Protocol = RouteProtocol.Static, Scope = RouteScope.Link, Table = Route.MainTable,
    };

    /// <summary>
    /// Removes everything <paramref name="record"/> stands for: ifdown hooks, DHCP entry,
    /// route, address, claims, record, and the shared isolation rules with the last channel;
    /// the interface goes down and gets back the name its hypervisor gave it (when that name
    /// is free), so nothing channel-like is left on it. A Xen vif's channel is remembered for
    /// its domain's restart (<see cref="VifMemory"/>). Never fails on "already gone"; a killed
    /// teardown is finished by the next call. What only saves work (the journal, DHCP's
    /// files, the memory) may fail on a full state filesystem: the teardown goes on and says
    /// what it could not record. <paramref name="keepLink"/> (a re-address) leaves the link,
    /// its name, address, the isolation rules and the vif's note as they are.
    /// </summary>
    public void TearDown(ChannelRecord record, IReadOnlyDictionary<string, string>? hookEnv, bool forCaller = true, bool keepLink = false)
    {
        var n = _n;
        var unrecorded = new List<string>();
        Journal? journal = null;
        try
        {
            journal = Journal.Begin(n.Store, record.Name, JournalEntry.Of("teardown", record.Name));
        }
        catch (GntComException e)
        {
            unrecorded.Add("its journal (" + e.Message + ")");
        }
        // The journal names each hook's process group: if this call is killed, the call that
        // finishes the teardown kills whatever the hook left in the background.
        HookRunner.RunAll(System.IO.Path.Combine(n.Cfg.HooksDir, "ifdown.d"), HookEnvironment(record, "down", hookEnv),
            n.Cfg.HookTimeout, mustSucceed: false, started: (pgid, start) => AddQuietly(journal, JournalEntry.Of("hookpg", pgid, start), unrecorded),
            forCaller: forCaller);
        try
        {
            n.Dhcp.Remove(record, last: !keepLink && !n.Store.HasRecordsBesides(record.Name));
        }
        catch (GntComException e)
        {
            unrecorded.Add("its DHCP entry's removal (" + e.Message + ")");
        }
        var link = n.Nl.LinkByIndex(record.Index);
        if (link != null && link.Name == record.Name)
        {
            NetlinkHandle.IgnoreNotFound(() => n.Nl.RouteDel(HostRoute(record.Ip, record.Index)));
            if (!keepLink)
            {
                NetlinkHandle.IgnoreNotFound(() => n.Nl.AddrDel(record.Index, n.Cfg.Address, 32));
                if (record.Ipv6 != null) NetlinkHandle.IgnoreNotFound(() => n.Nl.AddrDel(record.Index, record.Ipv6, 64));
                // As the hypervisor made it: down, under its own name.
                if (link.IsUp) NetlinkHandle.IgnoreNotFound(() => n.Nl.LinkSetDown(record.Index));
                if (record.Original != record.Name) RenameBack(link, record.Original);
            }
        }
        if (record.Ipv6 != null && !keepLink) Isolation.RemoveIpv6Rule(n.Nl, record.Name);
        if (record.Kind == ChannelKind.Vif && record.Backend != null && !keepLink)
            n.Store.Save(new VifMemory(record.Name, record.Ip, record.Mac, record.Instance, VifMemory.Now));
        n.Store.Unclaim(ClaimKind.Ip, record.Ip.ToString(), record.Name);
        n.Store.Unclaim(ClaimKind.Mac, record.Mac, record.Name);
        n.Store.DeleteOrigin(record.Original, record.Owner);
        if (!keepLink && n.Store.Note(record.Index) is VifNote note && note.Name == record.Name) n.Store.DeleteNote(record.Index);
        n.Store.DeleteRecord(record.Name);
        if (!keepLink && !n.Store.HasRecords()) Isolation.Remove(n.Nl, n.Cfg.Network);
        journal?.Commit();
        if (unrecorded.Count > 0)
            Log.Warn("teardown of " + record.Name + " done, but could not record " + string.Join("; ", unrecorded));
    }

    /// <summary>
    /// Lets go of a live channel without touching it (`gnt-com ganeti disable`): the
    /// interface stays up, addressed and routed, as Ganeti's own scripts leave one, and
    /// GntCom forgets it (record first: claims without a record are dropped when met).
    /// <paramref name="runHooks"/>: the ifdown hooks run first (undoing an adoption that
    /// just ran the ifup hooks); a disable runs none, the guest keeps its channel.
    /// </summary>
    public void HandOver(ChannelRecord record, bool runHooks)
    {
        var n = _n;
        if (runHooks)
            HookRunner.RunAll(System.IO.Path.Combine(n.Cfg.HooksDir, "ifdown.d"), HookEnvironment(record, "down", null),
                n.Cfg.HookTimeout, mustSucceed: false, forCaller: false);
        n.Store.DeleteRecord(record.Name);
        n.Store.Unclaim(ClaimKind.Ip, record.Ip.ToString(), record.Name);
        n.Store.Unclaim(ClaimKind.Mac, record.Mac, record.Name);
        n.Store.DeleteOrigin(record.Original, record.Owner);
        if (record.Ipv6 != null) Isolation.RemoveIpv6Rule(n.Nl, record.Name);
        Log.Info("handed " + record.Describe() + " back to Ganeti's scripts");
    }

    private static void AddQuietly(Journal? journal, JournalEntry entry, List<string> unrecorded)
    {
        if (journal == null) return;
        try { journal.Add(entry); }
        catch (GntComException e) { unrecorded.Add("a hook's process group in the journal (" + e.Message + ")"); }
    }

    /// <summary>Gives a channel interface its hypervisor's name again (it is down), if that name is free.</summary>
    private void RenameBack(Link link, string original)
    {
        if (_n.Nl.LinkByName(original) != null) return;
        try
        {
            _n.Nl.LinkSetName(link.Index, original);
        }
        catch (Netlink.NetlinkException e) when (!e.IsNotFound)
        {
            Log.Warn("could not rename " + link.Name + " back to " + original + ": " + e.Message);
        }
        catch (Netlink.NetlinkException)
        {
            // gone meanwhile
        }
    }

    /// <summary>The hooks' environment: Ganeti's NIC variables plus GntCom's own.</summary>
    public static Dictionary<string, string> HookEnvironment(ChannelRecord r, string action, IReadOnlyDictionary<string, string>? extra)
    {
        var env = new Dictionary<string, string>();
        if (extra != null) foreach (var (k, v) in extra) env[k] = v;
        env["INTERFACE"] = r.Name;
        env["MODE"] = "routed";
        env["IP"] = r.Ip.ToString();
        env["MAC"] = r.Mac;
        env["INSTANCE"] = r.Instance ?? "";
        env["ACTION"] = action;
        env["GNT_COM_ORIGINAL_INTERFACE"] = r.Original;
        env["GNT_COM_KIND"] = r.KindName;
        env["GNT_COM_IFINDEX"] = r.Index.ToString(CultureInfo.InvariantCulture);
        return env;
    }
}
