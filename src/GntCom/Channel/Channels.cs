using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using GntCom.Config;
using GntCom.Inputs;
using GntCom.Logging;
using GntCom.Net;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// The one entry to GntCom's work, used by every executable: each operation takes the
/// host-wide lock, heals what killed calls and vanished guests left (<see cref="Healer"/>),
/// then does one thing, journaled so that any failure, exception or kill is undone exactly.
/// The rooms: <see cref="Naming"/> (names, reservations, who holds an IP or MAC),
/// <see cref="ChannelSetup"/> (set-up and teardown steps), <see cref="RoutedVif"/>
/// (vif-route), <see cref="Healer"/> (healing, repair), <see cref="Inspection"/> (status,
/// check), <see cref="Adoption"/> (taking over a Ganeti-configured node),
/// <see cref="GanetiIntegration"/> (switching a Ganeti node to GntCom and back).
/// </summary>
public sealed class Channels : IDisposable
{
    private readonly Node _n;
    private readonly ChannelSetup _setup;
    private readonly Naming _naming;
    private readonly Healer _healer;

    private Channels(Node n)
    {
        _n = n;
        _setup = new ChannelSetup(n);
        _healer = new Healer(n, _setup);
        _naming = new Naming(n, name => SafeRecordOf(name) is not ChannelRecord r || _healer.IsAlive(r));
    }

    /// <summary>Opens this namespace's state (creating it) and a netlink socket.</summary>
    public static Channels Open(GntComConfig cfg) => new(new Node(cfg, StateStore.Open(cfg, create: true)!));

    /// <summary>Opens this namespace's state if GntCom ever made it; null when there is none (nothing of GntCom's here).</summary>
    public static Channels? OpenExisting(GntComConfig cfg) => StateStore.Open(cfg, create: false) is StateStore store ? new(new Node(cfg, store)) : null;

    public void Dispose() => _n.Dispose();

    public GntComConfig Config => _n.Cfg;

    /// <summary>How many channel interfaces are recorded (one directory listing).</summary>
    public int ChannelCount => _n.Store.RecordNames().Count;

    /// <summary>
    /// Runs <paramref name="op"/> under the host-wide lock: killed calls' journals are healed
    /// first, then the op does its work, then a few records are checked for vanished guests
    /// (after the op, so that the op's own channel is torn down by the op, as a down).
    /// </summary>
    private T Locked<T>(Func<T> op)
    {
        using var hostLock = _n.Store.Lock();
        _healer.Before(new Repairs(log: true));
        T result = op();
        _healer.After(new Repairs(log: true));
        return result;
    }

    private void Locked(Action op) => Locked(() => { op(); return 0; });

    // ---- up -------------------------------------------------------------------------

    /// <summary>Makes the request's interface a configured channel interface; returns its record.</summary>
    public ChannelRecord Up(ChannelRequest req) => Locked(() => UpLocked(req));

    private ChannelRecord UpLocked(ChannelRequest req)
    {
        var store = _n.Store;
        var link = _n.Nl.LinkByName(req.Interface);
        if (link == null)
        {
            // online run again for a vif renamed by the first run
            if (req.DesiredName != null && RecordOf(req.DesiredName) is ChannelRecord done && done.Original == req.Interface && _healer.IsAlive(done))
                return AlreadyUp(done, req);
            throw new GntComException("interface " + Quote.Value(req.Interface) + " does not exist");
        }
        VifNote? note = null;
        if (_n.Cfg.IsChannelName(link.Name) && RecordOf(link.Name) is ChannelRecord existing)
        {
            if (existing.Index != link.Index || existing.Pending)
                _healer.Forget(existing, new Repairs(log: true)); // the name now belongs to another interface
            else if (existing.Restored && existing.Backend != null && Differs(req, existing))
            {
                // A restarted Xen domain got its old channel back at online; Ganeti's
                // xen-ifup-os now says what the guest's address is: the channel takes it.
                // What can refuse the new address is asked before the old one goes, and the
                // vif is left as an online without an IP leaves one (renamed, up, a note),
                // so a set-up that fails or is killed after the teardown waits for the next
                // xen-ifup-os rather than leaving an interface nobody records.
                CheckHolders(req.Ip ?? existing.Ip, req.Mac ?? existing.Mac, existing.Name);
                Log.Info("re-addressing " + existing.Describe() + " to " + (req.Ip ?? existing.Ip) + " " + (req.Mac ?? existing.Mac));
                note = new VifNote(link.Index, existing.Name, existing.Original, existing.Backend);
                store.Save(note);
                _setup.TearDown(existing, req.HookEnvironment, keepLink: true);
                link = _n.Nl.LinkByIndex(link.Index) ?? throw new GntComException("interface " + existing.Name + " vanished");
            }
            else return AlreadyUp(existing, req);
        }

        note ??= store.Note(link.Index);
        if (note != null && note.Name != link.Name) note = null;
        var (name, reservation) = _naming.Choose(link, req);
        if (name != link.Name && RecordOf(name) is ChannelRecord stale)
            _healer.Forget(stale, new Repairs(log: true)); // no interface has that name: its guest vanished

        IPAddress ip = req.Ip ?? reservation?.Ip
            ?? throw new InvalidInputException("no IP for " + Quote.Value(req.Interface) + ": set IP or reserve " + name + " with 'gnt-com allocate'");
        string mac = req.Mac ?? reservation?.Mac
            ?? throw new InvalidInputException("no MAC for " + Quote.Value(req.Interface) + ": set MAC or reserve " + name + " with 'gnt-com allocate'");
        string? instance = req.Instance ?? reservation?.Instance;
        if (reservation != null && (!reservation.Ip.Equals(ip) || reservation.Mac != mac))
            throw new InvalidInputException(name + " is reserved for " + reservation.Ip + " " + reservation.Mac + ", not " + ip + " " + mac);
        CheckHolders(ip, mac, name);
        var routes = Eligibility.Check(_n, link, ip, upByUs: note != null);

        var record = new ChannelRecord
        {
            Name = name, Original = note?.Original ?? link.Name, Index = link.Index, Ip = ip, Mac = mac, Instance = instance,
            // A vif brought online by vif-gnt-com says so in its note; otherwise the driver tells.
            Kind = note != null || req.Kind == ChannelKind.Vif || link.Kind != "tun" ? ChannelKind.Vif : ChannelKind.Tap,
            Owner = (note?.Backend ?? req.Backend) != null ? 0 : req.Owner,
            Backend = note?.Backend ?? req.Backend, Restored = req.Restored,
        };
        using var journal = _setup.Begin(record);
        ChannelSetup.Transact(_n, journal, () =>
        {
            _naming.Claim(journal, ip, mac, name);
            record = _setup.Configure(new Steps(_n.Nl, journal), link, record, routes);
            journal.Add(JournalEntry.Of("dhcp", mac, ip, name));
            AddDhcp(record);
            _setup.Finish(journal, record, req.HookEnvironment);
            if (reservation != null)
            {
                journal.Add(JournalEntry.Of("reservation", reservation.Name, reservation.Ip, reservation.Mac, reservation.Instance));
                store.DeleteReservation(reservation.Name);
            }
            if (note != null)
            {
                journal.Add(JournalEntry.Of("note", note.Index, note.Name, note.Original, note.Backend));
                store.DeleteNote(note.Index);
            }
        });
        Log.Info("up " + record.Describe());
        _n.Dhcp.WarnRivals(_n.Nl, record.Name);
        return record;
    }

    /// <summary>DHCP for a new guest; a failure is fatal only with dhcp_required = yes (a metadata hiccup must not stop a production VM).</summary>
    private void AddDhcp(ChannelRecord record)
    {
        try
        {
            _n.Dhcp.Add(record);
        }
        catch (GntComException e) when (!_n.Cfg.DhcpRequired)
        {
            _n.Dhcp.RecordError(e.Message);
            Log.Error("DHCP for " + record.Name + " failed, the channel is up without it: " + e.Message
                + " ('gnt-com check' reports it; dhcp_required = yes makes this fatal)");
        }
    }

    private static bool Differs(ChannelRequest req, ChannelRecord existing) =>
        (req.Ip != null && !req.Ip.Equals(existing.Ip)) || (req.Mac != null && req.Mac != existing.Mac);

    private ChannelRecord AlreadyUp(ChannelRecord existing, ChannelRequest req)
    {
        if (Differs(req, existing))
            throw new GntComException(Quote.Value(req.Interface) + " is already the channel interface " + existing.Name
                + " of " + existing.Ip + " " + existing.Mac + "; take it down first");
        Log.Info("already up " + existing.Describe());
        return existing;
    }

    /// <summary>Refuses an IP or MAC held by a live channel or a reservation; a holder whose interface vanished is forgotten first.</summary>
    private void CheckHolders(IPAddress ip, string mac, string name)
    {
        foreach (var (kind, value, holder, isRecord) in _naming.Holders(ip, mac, name))
        {
            string what = (kind == ClaimKind.Ip ? "IP " : "MAC ") + value;
            if (!isRecord)
                throw new GntComException(what + " is reserved for " + holder
                    + (_n.Store.Reservation(holder)?.Instance is string ri ? " (instance " + ri + ")" : ""));
            var record = RecordOf(holder);
            if (record == null) continue;
            if (!_healer.IsAlive(record))
            {
                _healer.Forget(record, new Repairs(log: true));
                continue;
            }
            throw new GntComException(what + " is already the guest " + (kind == ClaimKind.Ip ? "IP" : "MAC") + " of " + holder
                + (record.Instance != null ? " (instance " + record.Instance + ")" : ""));
        }
    }

    /// <summary>The record of <paramref name="name"/>; null when there is none, and a corrupt one (which holds its name until repaired) counts as none.</summary>
    private ChannelRecord? SafeRecordOf(string name)
    {
        try { return RecordOf(name); }
        catch (GntComException) { return null; }
    }

    /// <summary>The record of <paramref name="name"/>, null when it is no channel name or has none (a corrupt one throws, naming it).</summary>
    private ChannelRecord? RecordOf(string name) => _n.Cfg.IsChannelName(name) ? _n.Store.Record(name) : null;

    // ---- down -----------------------------------------------------------------------

    /// <summary>
    /// Tears the channel down: hooks, DHCP entry, route, address, record. The request may
    /// name the channel or the interface's name before it was renamed. Returns null when
    /// there was nothing to tear down (already gone): that is not an error.
    /// </summary>
    public ChannelRecord? Down(DownRequest req) => Locked(() =>
    {
        var record = FindForDown(req.Interface, req.Owner);
        if (record == null)
        {
            Log.Info("down " + req.Interface + ": no channel state, nothing to do");
            return null;
        }
        if ((req.Ip != null && !req.Ip.Equals(record.Ip)) || (req.Mac != null && req.Mac != record.Mac))
        {
            Log.Warn("down " + req.Interface + ": " + record.Name + " carries " + record.Ip + " " + record.Mac + ", not "
                + (req.Ip?.ToString() ?? record.Ip.ToString()) + " " + (req.Mac ?? record.Mac) + "; nothing done");
            return null;
        }
        _setup.TearDown(record, req.HookEnvironment);
        Log.Info("down " + record.Describe());
        return record;
    });

    /// <summary>
    /// The kernel removed interface <paramref name="name"/> with ifindex
    /// <paramref name="ifindex"/> (GntCom's udev rule): the channel recorded for exactly that
    /// interface goes, as a down would take it. The record is matched by its ifindex, never
    /// by the name alone (the name may already be a new guest's), and a record whose
    /// interface still exists is left alone: racing a down or a new up is harmless.
    /// Returns the channel torn down, null when there was nothing to do.
    /// </summary>
    public ChannelRecord? Removed(string name, int ifindex)
    {
        // udevd kills what its handlers leave running (and its sandbox denies them IP):
        // dnsmasq is not (re)started from here, not even by the healing of a killed call.
        _n.Dhcp.MayStart = false;
        return Locked(() => RemovedLocked(name, ifindex));
    }

    private ChannelRecord? RemovedLocked(string name, int ifindex)
    {
        if (_n.Nl.LinkByIndex(ifindex) != null)
        {
            Log.Info("removed " + name + " (ifindex " + ifindex + "): an interface still has that index, nothing to do");
            return null;
        }
        if (_n.Store.Note(ifindex) is VifNote note)
        {
            _n.Store.DeleteNote(ifindex);
            Log.Info("removed " + note.Name + " (was " + note.Original + "): the Xen vif brought online without an IP is gone");
        }
        var record = RecordOf(name);
        if (record == null || record.Index != ifindex)
        {
            Log.Info("removed " + name + " (ifindex " + ifindex + "): no channel of that interface, nothing to do");
            return null;
        }
        _setup.TearDown(record, null, forCaller: false);
        Log.Info("removed " + record.Describe() + ": its interface is gone");
        return record;
    }

    private ChannelRecord? FindForDown(string name, int owner, bool anyOwner = true)
    {
        if (RecordOf(name) is ChannelRecord byName) return byName;
        if (_n.Cfg.IsChannelName(name)) return null; // a channel name is its record's name: none, nothing to find

        var origins = _n.Store.Origins(name, owner, anyOwner);
        if (origins.Count == 1) return RecordOf(origins[0].Name);
        if (origins.Count > 1)
            Log.Warn("down " + name + ": " + origins.Count + " channels were once called so ("
                + string.Join(", ", origins.Select(o => o.Name)) + ") and none belongs to pid " + owner + "; nothing done");
        return null;
    }

    // ---- Xen channel vifs brought online before their IP is known --------------------

    /// <summary>Whether <paramref name="name"/> is reserved (its reservation knows the guest's IP).</summary>
    public bool IsReserved(string name) => _n.Cfg.IsChannelName(name) && _n.Store.Reservation(name) != null;

    /// <summary>
    /// A Ganeti channel vif with no guest IP anywhere: renames it to <paramref name="vifname"/>,
    /// brings it up and leaves a note, so that Ganeti's xen-ifup-os (gnt-com-ifup) later
    /// records it as a Xen vif. Returns the final name.
    /// </summary>
    public string VifOnline(string dev, string vifname, string backend, string? mac) => Locked(() =>
    {
        if (Restore(dev, vifname, backend, mac) is string restored) return restored;
        var link = _n.Nl.LinkByName(dev);
        if (link == null)
        {
            if (_n.Nl.LinkByName(vifname) is Link done && _n.Store.Note(done.Index) is VifNote n0 && n0.Original == dev) return vifname;
            throw new GntComException("interface " + Quote.Value(dev) + " does not exist");
        }
        if (!_n.Cfg.IsChannelName(vifname))
            throw new InvalidInputException("vifname " + Quote.Value(vifname) + " is not a channel name (" + _n.Cfg.InterfacePrefix + "N)");
        Eligibility.Check(_n, link, null);
        if (_n.Nl.LinkByName(vifname) is Link taken && taken.Index != link.Index)
        {
            // A Xen live migration's target may have the source's vifname in use already.
            // Ganeti sets the channel up later by that name (xen-ifup-os), which refuses an
            // interface that is not this guest's: here the vif only keeps its own name and
            // comes up, and the domain is not failed for it.
            using var upOnly = Journal.Begin(_n.Store, "routed-" + link.Index, JournalEntry.Of("routed", link.Index, link.Name));
            ChannelSetup.Transact(_n, upOnly, () => link = new Steps(_n.Nl, upOnly).LinkSetUp(link));
            Log.Error("online " + dev + ": vifname " + vifname + " is taken by another interface: " + dev
                + " keeps its name and gets no channel (the guest's channel is not set up on this node)");
            return dev;
        }
        using var journal = Journal.Begin(_n.Store, vifname, JournalEntry.Of("routed", link.Index, vifname));
        ChannelSetup.Transact(_n, journal, () =>
        {
            var steps = new Steps(_n.Nl, journal);
            link = steps.LinkSetUp(steps.LinkSetName(link, vifname));
            journal.Add(JournalEntry.Of("notenew", link.Index));
            _n.Store.Save(new VifNote(link.Index, vifname, dev, backend));
        });
        Log.Info("online " + vifname + " (was " + dev + "): channel vif up; no guest IP known yet, Ganeti's xen-ifup-os completes it");
        return vifname;
    });

    /// <summary>
    /// A restarted domain's channel vif (same vifname and MAC as a channel that went within
    /// <see cref="VifMemory.Lifetime"/>) gets that channel back: IP, route, DHCP entry, hooks.
    /// Returns its name, or null when there is nothing to restore or it cannot be (then the
    /// vif only comes up, as without a memory).
    /// </summary>
    private string? Restore(string dev, string vifname, string backend, string? mac)
    {
        if (!_n.Cfg.IsChannelName(vifname) || _n.Store.Memory(vifname) is not VifMemory memory) return null;
        if (memory.IsExpired(VifMemory.Now))
        {
            _n.Store.DeleteMemory(vifname);
            return null;
        }
        if (mac != memory.Mac) return null;
        try
        {
            var record = UpLocked(new ChannelRequest
            {
                Interface = dev, DesiredName = vifname, Ip = memory.Ip, Mac = memory.Mac, Instance = memory.Instance,
                Kind = ChannelKind.Vif, Backend = backend, Restored = true,
            });
            _n.Store.DeleteMemory(vifname);
            Log.Info("online " + vifname + " (was " + dev + "): the restarted domain's channel is back, " + record.Ip + " " + record.Mac);
            return record.Name;
        }
        catch (GntComException e)
        {
            _n.Store.DeleteMemory(vifname);
            Log.Warn("online " + dev + ": could not give " + vifname + " its channel back (" + e.Message + "); Ganeti's xen-ifup-os completes it");
            return null;
        }
    }

    /// <summary>
    /// Offline of a channel vif (libxl's `vif` and XENBUS_PATH): tears down the channel of
    /// this vif, or forgets its note and sets the link down when it never got further. The
    /// channel is recognised by the backend path it recorded (or, without one, by the
    /// kernel's own name for the vif, its bus info "vif-DOM-DEV", or the name libxl gave it),
    /// never by the vifname alone: that may be another guest's by now.
    /// </summary>
    /// <paramref name="orRouted"/>: the backend directory is gone already, so the store no
    /// longer says what the vif was: when no channel of this vif is recorded, it was a routed
    /// vif, and this is its offline.
    public void VifOffline(string dev, string? vifname, string backend, RoutedRequest? orRouted = null) => Locked(() =>
    {
        string path = XenbusPath.Canonical(backend);
        // A Xen vif's channel is recorded with owner 0 (libxl runs online and offline from
        // different processes): one lookup, never a listing of every origin. (GntCom 0.2
        // recorded libxl's pid: such a channel is left to the udev rule or the round robin.)
        var record = (vifname != null ? RecordOf(vifname) : null) ?? FindForDown(dev, 0, anyOwner: false);
        if (record != null && IsThisVif(record, dev, path))
        {
            _setup.TearDown(record, null);
            Log.Info("offline " + record.Describe());
            return;
        }
        foreach (string? name in new[] { vifname, dev })
        {
            if (name == null || _n.Nl.LinkByName(name) is not Link link) continue;
            if (_n.Store.Note(link.Index) is VifNote note && XenbusPath.Canonical(note.Backend) == path)
            {
                _n.Store.DeleteNote(link.Index);
                NetlinkHandle.IgnoreNotFound(() => _n.Nl.LinkSetDown(link.Index));
                Log.Info("offline " + note.Name + " (was " + note.Original + "): link down");
                return;
            }
            if (name == dev && link.IsUp && !_n.Cfg.IsChannelName(dev) && orRouted == null)
            {
                // It kept its own name (its vifname was taken): it carries no channel.
                NetlinkHandle.IgnoreNotFound(() => _n.Nl.LinkSetDown(link.Index));
                Log.Info("offline " + dev + ": link down (it carried no channel)");
                return;
            }
        }
        if (orRouted != null)
        {
            // With the vif gone too, a routed vif's routes went with it: nothing is left to do.
            if (_n.Nl.LinkByName(dev) != null) RoutedOfflineLocked(orRouted);
            else Log.Info("offline " + dev + ": the vif and its backend are gone and no channel of it is recorded, nothing to do");
            return;
        }
        Log.Info("offline " + dev + ": no channel of this vif (" + path + ")"
            + (record != null ? "; " + record.Name + " is another guest's, left alone" : "") + ", nothing to do");
    });

    private bool IsThisVif(ChannelRecord r, string dev, string path)
    {
        if (r.Backend != null) return XenbusPath.Canonical(r.Backend) == path;
        if (r.Original == dev) return true;
        var link = _n.Nl.LinkByIndex(r.Index);
        return link != null && link.Name == r.Name && Ethtool.BusInfo(r.Name) == XenbusPath.BusInfo(path);
    }

    // ---- routed vifs (vif-route) ------------------------------------------------------

    /// <summary>Sets a routed vif up as Xen's vif-route does; returns its final name.</summary>
    public string RoutedOnline(RoutedRequest req) => Locked(() =>
    {
        var routed = new RoutedVif(_n);
        var dom0 = routed.Dom0Address(req.Netdev);
        var link = _n.Nl.LinkByName(req.Interface)
            ?? (req.DesiredName != null ? _n.Nl.LinkByName(req.DesiredName) : null)
            ?? throw new GntComException("interface " + Quote.Value(req.Interface) + " does not exist");
        using var journal = Journal.Begin(_n.Store, "routed-" + link.Index, JournalEntry.Of("routed", link.Index, link.Name));
        ChannelSetup.Transact(_n, journal, () => link = routed.Online(new Steps(_n.Nl, journal), link, req, dom0));
        Log.Info("online routed " + link.Name + (link.Name != req.Interface ? " (was " + req.Interface + ")" : "") + " src " + dom0
            + " ip " + (req.Addresses.Count == 0 ? "(none)" : string.Join(" ", req.Addresses.Select(i => i.Address + "/" + i.PrefixLength))));
        return link.Name;
    });

    /// <summary>Removes a routed vif's guest routes (best effort: anything gone is fine).</summary>
    public void RoutedOffline(RoutedRequest req) => Locked(() => RoutedOfflineLocked(req));

    private void RoutedOfflineLocked(RoutedRequest req)
    {
        var link = (req.DesiredName != null ? _n.Nl.LinkByName(req.DesiredName) : null) ?? _n.Nl.LinkByName(req.Interface);
        new RoutedVif(_n).Offline(link, req);
        Log.Info("offline routed " + (link?.Name ?? req.Interface) + ": routes removed");
    }

    // ---- reservations -------------------------------------------------------------------

    /// <summary>Reserves the next free name for a guest about to start (gnt-com allocate).</summary>
    public Reservation Allocate(IPAddress ip, string mac, string? instance) => Locked(() =>
    {
        var store = _n.Store;
        if (store.ClaimOwner(ClaimKind.Ip, ip.ToString()) is string owner && store.Reservation(owner) is Reservation same && same.Mac == mac)
            return same; // idempotent: asking twice gives the same name
        CheckHolders(ip, mac, "");
        string name = _naming.NextFreeName();
        if (RecordOf(name) is ChannelRecord stale) _healer.Forget(stale, new Repairs(log: true)); // its guest vanished
        var reservation = new Reservation(name, ip, mac, instance);
        // Claims first: a kill before the reservation leaves claims without a holder, which are dropped.
        store.Claim(ClaimKind.Ip, ip.ToString(), reservation.Name);
        store.Claim(ClaimKind.Mac, mac, reservation.Name);
        store.Save(reservation);
        Log.Info("reserved " + reservation.Name + " for " + ip + " " + mac + (instance != null ? " (instance " + instance + ")" : ""));
        return reservation;
    });

    /// <summary>Drops a reservation; false when there was none.</summary>
    public bool Release(string name) => Locked(() =>
    {
        var store = _n.Store;
        Reservation? reservation;
        try
        {
            reservation = store.Reservation(name);
        }
        catch (GntComException e)
        {
            // Unreadable: it goes all the same (its claims, if any, are dropped when met).
            store.DeleteReservation(name);
            Log.Warn("released " + name + ", whose reservation could not be read: " + e.Message);
            return true;
        }
        if (reservation == null) return false;
        store.DeleteReservation(name);
        store.Unclaim(ClaimKind.Ip, reservation.Ip.ToString(), name);
        store.Unclaim(ClaimKind.Mac, reservation.Mac, name);
        Log.Info("released " + name);
        return true;
    });

    // ---- the whole node ---------------------------------------------------------------------

    /// <summary>A read-only snapshot for gnt-com status (takes no lock: state files are replaced atomically).</summary>
    public StatusSnapshot Status() => new Inspection(_n).Status();

    /// <summary>gnt-com check: every way the host differs from GntCom's records (empty when all is well).</summary>
    public List<string> Check()
    {
        using var hostLock = _n.Store.Lock();
        return new Inspection(_n).Check();
    }

    /// <summary>gnt-com repair: the full sweep; returns one line per repair.</summary>
    public List<string> Repair()
    {
        using var hostLock = _n.Store.Lock();
        var inspection = new Inspection(_n);
        return _healer.Repair(inspection.Check(), inspection.Check);
    }

    /// <summary>gnt-com adopt: takes over the channel interfaces a Ganeti node's own scripts configured.</summary>
    public AdoptionPlan Adopt(string ganetiRunDir, bool dryRun) =>
        Locked(() => new Adoption(_n, _setup, _naming).Run(ganetiRunDir, dryRun));

    /// <summary>gnt-com ganeti enable: GntCom's shims in place of Ganeti's channel scripts, then adopt.</summary>
    public GanetiPlan GanetiEnable(string ganetiRunDir, bool dryRun) =>
        Locked(() => new GanetiIntegration(_n, _setup, _naming).Enable(ganetiRunDir, dryRun));

    /// <summary>gnt-com ganeti disable: Ganeti's scripts back, the channels handed to them.</summary>
    public GanetiPlan GanetiDisable(string ganetiRunDir, bool dryRun) =>
        Locked(() => new GanetiIntegration(_n, _setup, _naming).Disable(ganetiRunDir, dryRun));

    /// <summary>gnt-com dhcp reload: rewrites DHCP's files from every record and sends SIGHUP; returns dnsmasq's pid (0: none runs).</summary>
    public int DhcpReload() => Locked(() =>
    {
        if (_n.Cfg.Dhcp == DhcpProvider.Off) throw new GntComException("DHCP is off in " + _n.Cfg.Source);
        _n.Dhcp.Reload(LiveRecords());
        return _n.Dhcp.RunningPid();
    });

    /// <summary>gnt-com dhcp stop: returns the pid stopped (0: none ran).</summary>
    public int DhcpStop()
    {
        using var hostLock = _n.Store.Lock();
        return _n.Dhcp.Stop();
    }

    private List<ChannelRecord> LiveRecords() => _n.Store.Records().Where(_healer.IsAlive).ToList();
}
