using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using GntCom.Config;
using GntCom.Dhcp;
using GntCom.Hooks;
using GntCom.Inputs;
using GntCom.Interop;
using GntCom.Logging;
using GntCom.Net;
using GntCom.Netlink;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// Sets channel interfaces up and tears them down: the one implementation behind every
/// executable. Every public operation takes the host-wide lock, first heals state left by
/// runs that never finished or interfaces that vanished, then does its work; a failure
/// undoes everything the operation did.
/// </summary>
public sealed class Channels : IDisposable
{
    private readonly GntComConfig _cfg;
    private readonly StateStore _store;
    private readonly NetlinkHandle _nl;
    private readonly DhcpManager _dhcp;
    private List<Link>? _links;

    public Channels(GntComConfig cfg)
    {
        _cfg = cfg;
        _store = new StateStore(cfg);
        _nl = NetlinkHandle.Open();
        _dhcp = new DhcpManager(cfg, _store);
    }

    public StateStore Store => _store;
    public GntComConfig Config => _cfg;

    public void Dispose() => _nl.Dispose();

    // ---- up -------------------------------------------------------------------

    /// <summary>Makes the request's interface a configured channel interface; returns its record.</summary>
    public ChannelRecord Up(ChannelRequest req)
    {
        using var hostLock = _store.Lock();
        var records = Heal();
        var link = _nl.LinkByName(req.Interface)
            ?? throw new GntComException("interface " + Quote.Value(req.Interface) + " does not exist");
        var reservations = _store.Reservations();

        var existing = records.FirstOrDefault(r => r.Index == link.Index);
        if (existing != null)
            return AlreadyUp(existing, req);

        var (name, reservation) = ChooseName(link, req, reservations);
        IPAddress ip = req.Ip ?? reservation?.Ip
            ?? throw new InvalidInputException("no IP for " + Quote.Value(req.Interface) + ": set IP or reserve " + name + " with 'gnt-com allocate'");
        string mac = req.Mac ?? reservation?.Mac
            ?? throw new InvalidInputException("no MAC for " + Quote.Value(req.Interface) + ": set MAC or reserve " + name + " with 'gnt-com allocate'");
        string? instance = req.Instance ?? reservation?.Instance;
        if (reservation != null && (!reservation.Ip.Equals(ip) || reservation.Mac != mac))
            throw new InvalidInputException(name + " is reserved for " + reservation.Ip + " " + reservation.Mac + ", not " + ip + " " + mac);
        CheckUnique(ip, mac, records, reservations, name);

        var record = new ChannelRecord
        {
            Name = name, Original = link.Name, Index = link.Index, Ip = ip, Mac = mac, Instance = instance,
            Kind = req.Kind, Owner = req.Owner, Pending = true,
        };
        var undo = new UndoLog();
        try
        {
            _store.Save(record);
            undo.Push("state record " + name, () => _store.DeleteRecord(name));
            record = Configure(link, record, undo);
            _store.Save(record);

            var live = new List<ChannelRecord>(records) { record };
            _dhcp.Apply(live);
            undo.Push("DHCP entry " + mac + "," + ip, () => _dhcp.Apply(records));

            HookRunner.RunAll(HookDir("ifup.d"), HookEnvironment(record, "up", req.HookEnvironment), _cfg.HookTimeout, mustSucceed: true);

            _store.Save(record with { Pending = false });
            if (reservation != null) _store.DeleteReservation(reservation.Name);
            undo.Commit();
        }
        catch (GntComException)
        {
            undo.Rollback();
            throw;
        }
        Log.Info("up " + Describe(record));
        return record with { Pending = false };
    }

    private ChannelRecord AlreadyUp(ChannelRecord existing, ChannelRequest req)
    {
        if ((req.Ip != null && !req.Ip.Equals(existing.Ip)) || (req.Mac != null && req.Mac != existing.Mac))
            throw new GntComException(Quote.Value(req.Interface) + " is already the channel interface " + existing.Name
                + " of " + existing.Ip + " " + existing.Mac + "; take it down first");
        Log.Info("already up " + Describe(existing));
        return existing;
    }

    /// <summary>The name the interface will carry, and the reservation that backs it, if any.</summary>
    private (string Name, Reservation? Reservation) ChooseName(Link link, ChannelRequest req, List<Reservation> reservations)
    {
        if (req.DesiredName != null)
        {
            string want = req.DesiredName;
            if (!_cfg.IsChannelName(want))
                throw new InvalidInputException("name " + Quote.Value(want) + " is not a channel name (" + _cfg.InterfacePrefix + "N)");
            if (want != link.Name && _nl.LinkByName(want) != null)
                throw new GntComException("cannot name " + link.Name + " " + want + ": another interface already has that name");
            return (want, reservations.FirstOrDefault(r => r.Name == want));
        }
        if (_cfg.IsChannelName(link.Name))
            return (link.Name, reservations.FirstOrDefault(r => r.Name == link.Name));

        // A reservation made for this guest (same IP and MAC) names its interface.
        var mine = reservations.FirstOrDefault(r => req.Ip != null && r.Ip.Equals(req.Ip) && r.Mac == req.Mac);
        if (mine != null)
        {
            if (_nl.LinkByName(mine.Name) != null)
                throw new GntComException("cannot name " + link.Name + " " + mine.Name + " (reserved for " + mine.Ip + "): another interface already has that name");
            return (mine.Name, mine);
        }
        return (NextFreeName(), null);
    }

    /// <summary>The lowest N whose prefix+N is neither an interface, nor recorded, nor reserved.</summary>
    private string NextFreeName()
    {
        var taken = _store.TakenNames();
        foreach (var l in Links()) taken.Add(l.Name);
        for (int n = 0; n <= _cfg.MaxIndex; n++)
        {
            string name = _cfg.ChannelName(n);
            if (!taken.Contains(name)) return name;
        }
        throw new GntComException("no free channel name left (" + _cfg.InterfacePrefix + "0.." + _cfg.MaxIndex + " are all taken)");
    }

    private static void CheckUnique(IPAddress ip, string mac, List<ChannelRecord> records, List<Reservation> reservations, string name)
    {
        foreach (var r in records)
        {
            if (r.Ip.Equals(ip))
                throw new GntComException("IP " + ip + " is already the guest IP of " + r.Name + InstanceSuffix(r.Instance));
            if (r.Mac == mac)
                throw new GntComException("MAC " + mac + " is already the guest MAC of " + r.Name + InstanceSuffix(r.Instance));
        }
        foreach (var r in reservations)
        {
            if (r.Name == name) continue;
            if (r.Ip.Equals(ip) || r.Mac == mac)
                throw new GntComException((r.Ip.Equals(ip) ? "IP " + ip : "MAC " + mac) + " is reserved for " + r.Name + InstanceSuffix(r.Instance));
        }
    }

    /// <summary>Renames, brings up, addresses, routes and hardens the interface; each step undoable.</summary>
    private ChannelRecord Configure(Link link, ChannelRecord record, UndoLog undo)
    {
        int index = link.Index;
        string name = record.Name;
        if (link.Name != name)
        {
            if (link.IsUp) _nl.LinkSetDown(index);
            try
            {
                _nl.LinkSetName(index, name);
            }
            catch (NetlinkException e)
            {
                if (link.IsUp) _nl.LinkSetUp(index);
                throw new GntComException("cannot rename " + link.Name + " to " + name + ": " + Errno.Describe(e.Errno));
            }
            string original = link.Name;
            bool wasUp = link.IsUp;
            undo.Push("rename " + original + " to " + name, () =>
            {
                _nl.LinkSetDown(index);
                _nl.LinkSetName(index, original);
                if (wasUp) _nl.LinkSetUp(index);
            });
            link = link with { Name = name, Flags = link.Flags & ~Rtm.IFF_UP };
        }
        if (!link.IsUp)
        {
            _nl.LinkSetUp(index);
            if (link.Name == record.Original) undo.Push("link up " + name, () => _nl.LinkSetDown(index));
        }

        if (!_nl.AddrList(AddressFamily.InterNetwork, index).Any(a => a.Address.Equals(_cfg.Address) && a.PrefixLength == 32))
        {
            _nl.AddrAdd(index, _cfg.Address, 32);
            undo.Push("address " + _cfg.Address + "/32 on " + name, () => IgnoreGone(() => _nl.AddrDel(index, _cfg.Address, 32)));
        }

        var route = HostRoute(record.Ip, index);
        try
        {
            _nl.RouteAdd(route);
            undo.Push("route " + route.Describe(name), () => IgnoreGone(() => _nl.RouteDel(route)));
        }
        catch (NetlinkException e) when (e.Errno == Errno.EEXIST)
        {
            var other = _nl.RouteList(AddressFamily.InterNetwork).FirstOrDefault(r =>
                r.Table == Rtm.RT_TABLE_MAIN && r.PrefixLength == 32 && r.Destination.Equals(record.Ip));
            if (other?.OutputIndex != index)
            {
                string dev = other?.OutputIndex is int oi ? _nl.LinkByIndex(oi)?.Name ?? "#" + oi : "?";
                throw new GntComException("cannot route " + record.Ip + " to " + name + ": a route to it already exists via " + dev);
            }
        }

        Isolation.Apply(_nl, name, undo);
        SetSysctl("ipv4", name, "forwarding", "0", undo);
        SetSysctl("ipv4", name, "rp_filter", "1", undo);

        if (Ethtool.GetTxChecksum(name) == true && Ethtool.SetTxChecksum(name, false))
            undo.Push("tx checksum offload off on " + name, () => Ethtool.SetTxChecksum(name, true));

        if (_dhcp.NeedsInterfaceIpv6)
        {
            SetSysctl("ipv6", name, "disable_ipv6", "0", undo);
            var v6 = DhcpManager.InterfaceIpv6(_cfg.ChannelIndex(name));
            if (!_nl.AddrList(AddressFamily.InterNetworkV6, index).Any(a => a.Address.Equals(v6)))
            {
                _nl.AddrAdd(index, v6, 64, Rtm.IFA_F_NODAD);
                undo.Push("address " + v6 + "/64 on " + name, () => IgnoreGone(() => _nl.AddrDel(index, v6, 64)));
            }
            record = record with { Ipv6 = v6 };
        }
        return record;
    }

    private Route HostRoute(IPAddress ip, int index) => new()
    {
        Destination = ip, PrefixLength = 32, OutputIndex = index,
        Protocol = Rtm.RTPROT_STATIC, Scope = Rtm.RT_SCOPE_LINK, Table = Rtm.RT_TABLE_MAIN,
    };

    private static void SetSysctl(string family, string ifname, string key, string value, UndoLog undo)
    {
        string path = Sysctl.InterfaceKey(family, ifname, key);
        string old = Sysctl.Read(path);
        if (old == value) return;
        Sysctl.Write(path, value);
        undo.Push("sysctl " + path, () => Sysctl.Write(path, old));
    }

    // ---- down -----------------------------------------------------------------

    /// <summary>
    /// Tears the channel on <paramref name="name"/> down: hooks, DHCP entry, route,
    /// address, record. <paramref name="name"/> may be the channel name or the name the
    /// hypervisor gave the interface before it was renamed. Returns null when there was
    /// nothing to tear down (already gone): that is not an error.
    /// </summary>
    public ChannelRecord? Down(string name, int owner, IReadOnlyDictionary<string, string>? hookEnv = null)
    {
        using var hostLock = _store.Lock();
        var records = Heal();
        var record = FindForDown(name, owner, records);
        if (record == null)
        {
            Log.Info("down " + name + ": no channel state, nothing to do");
            return null;
        }
        TearDown(record, records, hookEnv);
        Log.Info("down " + Describe(record));
        return record;
    }

    private ChannelRecord? FindForDown(string name, int owner, List<ChannelRecord> records)
    {
        var byName = records.FirstOrDefault(r => r.Name == name);
        if (byName != null) return byName;
        var byOriginal = records.Where(r => r.Original == name).ToList();
        if (byOriginal.Count == 1) return byOriginal[0];
        if (byOriginal.Count > 1)
        {
            // Two taps once called tap0 (the kernel reuses names): the one this caller set up.
            var mine = byOriginal.Where(r => r.Owner == owner).ToList();
            if (mine.Count == 1) return mine[0];
            Log.Warn("down " + name + ": " + byOriginal.Count + " channels were once called so ("
                + string.Join(", ", byOriginal.Select(r => r.Name)) + ") and none belongs to pid " + owner + "; nothing done");
        }
        return null;
    }

    /// <summary>Removes everything a record stands for; never fails on "already gone".</summary>
    private void TearDown(ChannelRecord record, List<ChannelRecord> records, IReadOnlyDictionary<string, string>? hookEnv)
    {
        HookRunner.RunAll(HookDir("ifdown.d"), HookEnvironment(record, "down", hookEnv), _cfg.HookTimeout, mustSucceed: false);
        var rest = records.Where(r => r.Name != record.Name).ToList();
        try
        {
            _dhcp.Apply(rest);
        }
        catch (GntComException e)
        {
            Log.Warn("DHCP update for " + record.Name + " failed: " + e.Message);
        }
        var link = _nl.LinkByIndex(record.Index);
        if (link != null && link.Name == record.Name)
        {
            IgnoreGone(() => _nl.RouteDel(HostRoute(record.Ip, record.Index)));
            IgnoreGone(() => _nl.AddrDel(record.Index, _cfg.Address, 32));
            if (record.Ipv6 != null) IgnoreGone(() => _nl.AddrDel(record.Index, record.Ipv6, 64));
            if (record.Pending && record.Original != record.Name) RenameBack(link, record.Original);
        }
        // Rules match by name and outlive the interface: removed whether it is there or not.
        Isolation.Remove(_nl, record.Name);
        _store.DeleteRecord(record.Name);
    }

    /// <summary>Gives an interface whose set-up was rolled back its hypervisor's name again, if that name is free.</summary>
    private void RenameBack(Link link, string original)
    {
        if (_nl.LinkByName(original) != null) return;
        try
        {
            _nl.LinkSetDown(link.Index);
            _nl.LinkSetName(link.Index, original);
        }
        catch (NetlinkException e)
        {
            Log.Warn("could not rename " + link.Name + " back to " + original + ": " + e.Message);
        }
    }

    private static void IgnoreGone(Action action)
    {
        try
        {
            action();
        }
        catch (NetlinkException e) when (e.Errno is Errno.ENODEV or Errno.ESRCH or Errno.EADDRNOTAVAIL or Errno.ENOENT)
        {
        }
    }

    // ---- healing --------------------------------------------------------------

    /// <summary>
    /// Under the lock: rolls back set-ups that a killed run left pending, forgets
    /// interfaces that vanished without a down call (a SIGKILLed qemu runs no downscript),
    /// and removes temporary files. Adds one line per repair to <paramref name="repairs"/>;
    /// returns the records that remain, which the operation then works with.
    /// </summary>
    private List<ChannelRecord> Heal(List<string>? repairs = null)
    {
        repairs ??= new List<string>();
        _links = null;
        var records = _store.Records();
        var live = new List<ChannelRecord>(records);
        if (records.Count > 0)
        {
            var links = Links().ToDictionary(l => l.Index);
            foreach (var r in records)
            {
                links.TryGetValue(r.Index, out var link);
                bool present = link != null && link.Name == r.Name;
                if (!r.Pending && present) continue;
                live.Remove(r);
                string why = r.Pending ? "rolled back the unfinished set-up of " : "forgot ";
                string tail = r.Pending ? " (its run was killed)" : " (the interface vanished without a down call)";
                TearDown(r, live, null);
                _links = null; // a rolled-back interface may have got its old name back
                repairs.Add(why + Describe(r) + tail);
            }
        }
        int temps = _store.CleanTemporaryFiles();
        if (temps > 0) repairs.Add("removed " + temps + " temporary file(s) of killed runs");
        foreach (string line in repairs) Log.Warn(line);
        return live;
    }

    /// <summary>The namespace's interfaces, dumped once per operation (Heal starts afresh).</summary>
    private List<Link> Links() => _links ??= _nl.LinkList();

    /// <summary>
    /// gnt-com repair: heals state, then puts back whatever is missing on every live
    /// channel interface (link up, address, route, sysctls, offload) and brings DHCP in step.
    /// </summary>
    public List<string> Repair()
    {
        using var hostLock = _store.Lock();
        var repairs = new List<string>();
        var records = Heal(repairs);
        var before = CheckLocked();
        foreach (var r in records)
        {
            var link = _nl.LinkByIndex(r.Index);
            if (link == null || link.Name != r.Name) continue;
            var undo = new UndoLog();
            Configure(link, r, undo);
            undo.Commit();
        }
        _dhcp.Apply(records);
        var after = CheckLocked();
        foreach (string p in before)
            if (!after.Contains(p)) repairs.Add("fixed: " + p);
        return repairs;
    }

    /// <summary>gnt-com check: every way the host differs from GntCom's records (empty when all is well).</summary>
    public List<string> Check()
    {
        using var hostLock = _store.Lock();
        return CheckLocked();
    }

    private List<string> CheckLocked()
    {
        var problems = new List<string>();
        var records = _store.Records(problems);
        var links = _nl.LinkList();
        var byIndex = links.ToDictionary(l => l.Index);
        var addrs = _nl.AddrList(AddressFamily.InterNetwork);
        var routes = _nl.RouteList(AddressFamily.InterNetwork);
        foreach (var r in records)
        {
            if (r.Pending) { problems.Add(r.Name + ": set-up never finished (its run was killed)"); continue; }
            if (!byIndex.TryGetValue(r.Index, out var link) || link.Name != r.Name)
            {
                problems.Add(r.Name + ": the interface is gone but its state remains");
                continue;
            }
            if (!link.IsUp) problems.Add(r.Name + ": link is down");
            if (!addrs.Any(a => a.Index == r.Index && a.Address.Equals(_cfg.Address) && a.PrefixLength == 32))
                problems.Add(r.Name + ": lacks address " + _cfg.Address + "/32");
            if (!routes.Any(rt => rt.Table == Rtm.RT_TABLE_MAIN && rt.PrefixLength == 32 && rt.Destination.Equals(r.Ip) && rt.OutputIndex == r.Index))
                problems.Add(r.Name + ": no route " + r.Ip + "/32 via it");
            CheckSysctl(problems, r.Name, "forwarding", "0");
            CheckSysctl(problems, r.Name, "rp_filter", "1");
        }
        problems.AddRange(Isolation.Check(_nl, records.Where(r => !r.Pending && byIndex.TryGetValue(r.Index, out var l) && l.Name == r.Name).Select(r => r.Name).ToList()));
        var recorded = records.Select(r => r.Name).ToHashSet();
        var reserved = _store.Reservations().Select(r => r.Name).ToHashSet();
        foreach (var l in links)
            if (_cfg.IsChannelName(l.Name) && !recorded.Contains(l.Name) && !reserved.Contains(l.Name))
                problems.Add(l.Name + ": a channel-named interface GntCom has no record of (set it up with gnt-com-ifup)");
        problems.AddRange(_dhcp.Check(records.Where(r => !r.Pending).ToList()));
        return problems;
    }

    private static void CheckSysctl(List<string> problems, string ifname, string key, string want)
    {
        string path = Sysctl.InterfaceKey("ipv4", ifname, key);
        try
        {
            string have = Sysctl.Read(path);
            if (have != want) problems.Add(ifname + ": " + key + " is " + have + ", not " + want);
        }
        catch (GntComException e)
        {
            problems.Add(ifname + ": " + e.Message);
        }
    }

    // ---- reservations ---------------------------------------------------------

    /// <summary>Reserves the next free name for a guest about to start (gnt-com allocate).</summary>
    public Reservation Allocate(IPAddress ip, string mac, string? instance)
    {
        using var hostLock = _store.Lock();
        var records = Heal();
        var reservations = _store.Reservations();
        var same = reservations.FirstOrDefault(r => r.Ip.Equals(ip) && r.Mac == mac);
        if (same != null) return same; // idempotent: asking twice gives the same name
        CheckUnique(ip, mac, records, reservations, "");
        var reservation = new Reservation(NextFreeName(), ip, mac, instance);
        _store.Save(reservation);
        Log.Info("reserved " + reservation.Name + " for " + ip + " " + mac + InstanceSuffix(instance));
        return reservation;
    }

    /// <summary>Drops a reservation; false when there was none.</summary>
    public bool Release(string name)
    {
        using var hostLock = _store.Lock();
        bool had = _store.Reservations().Any(r => r.Name == name);
        _store.DeleteReservation(name);
        if (had) Log.Info("released " + name);
        return had;
    }

    // ---- status ---------------------------------------------------------------

    /// <summary>A read-only snapshot for gnt-com status (takes no lock: state files are replaced atomically).</summary>
    public StatusSnapshot Status()
    {
        var corrupt = new List<string>();
        var records = _store.Records(corrupt);
        var links = _nl.LinkList().ToDictionary(l => l.Index);
        var rows = records.Select(r =>
        {
            links.TryGetValue(r.Index, out var l);
            string state = r.Pending ? "pending" : l == null || l.Name != r.Name ? "vanished" : !l.IsUp ? "down"
                : l.HasCarrier ? "up" : "up, no carrier";
            return (r, state);
        }).ToList();
        return new StatusSnapshot(_store.Root, _cfg.Source, HostLock.Holder(_store.LockPath), rows,
            _store.Reservations(corrupt), corrupt, _cfg.Dhcp,
            _cfg.Dhcp == DhcpProvider.Off ? null : _dhcp.ModeIfKnown() is DhcpMode m ? DhcpManager.ModeName(m) : "auto (not probed yet)",
            _dhcp.RunningPid(), _dhcp.HostsFile);
    }

    // ---- helpers --------------------------------------------------------------

    public DhcpManager Dhcp => _dhcp;

    private string HookDir(string sub) => System.IO.Path.Combine(_cfg.HooksDir, sub);

    private static Dictionary<string, string> HookEnvironment(ChannelRecord r, string action, IReadOnlyDictionary<string, string>? extra)
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
        env["GNT_COM_KIND"] = r.Kind == ChannelKind.Vif ? "vif" : "tap";
        env["GNT_COM_IFINDEX"] = r.Index.ToString(CultureInfo.InvariantCulture);
        return env;
    }

    private static string InstanceSuffix(string? instance) => instance == null ? "" : " (instance " + instance + ")";

    public static string Describe(ChannelRecord r) =>
        r.Name + (r.Original != r.Name ? " (was " + r.Original + ")" : "") + " ip=" + r.Ip + " mac=" + r.Mac
        + (r.Instance != null ? " instance=" + r.Instance : "");
}
