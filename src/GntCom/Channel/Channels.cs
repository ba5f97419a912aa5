using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using GntCom.Config;
using GntCom.Logging;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// The one entry to GntCom's work, used by every executable: each operation takes the
/// host-wide lock, heals what killed calls and vanished guests left (<see cref="Healer"/>),
/// then does one thing, journaled so that any failure, exception or kill is undone exactly.
/// What a channel is: <see cref="ConfiguredChannel"/> and its parts. The rooms:
/// <see cref="ChannelUp"/>, <see cref="ChannelDown"/>, <see cref="XenVifs"/>,
/// <see cref="RoutedVif"/> (vif-route), <see cref="Naming"/> (names, reservations, who holds
/// an IP or MAC), <see cref="Healer"/> (healing, repair), <see cref="Inspection"/> (status,
/// check), <see cref="Adoption"/> (taking over a Ganeti-configured node),
/// <see cref="GanetiIntegration"/> (switching a Ganeti node to GntCom and back).
/// </summary>
public sealed class Channels : IDisposable
{
    private readonly Node _n;
    private readonly Naming _naming;
    private readonly Healer _healer;
    private readonly ChannelUp _up;
    private readonly ChannelDown _down;

    private Channels(Node n)
    {
        _n = n;
        _healer = new Healer(n);
        _naming = new Naming(n, name => SafeRecordOf(name) is not ChannelRecord r || _healer.IsAlive(r));
        _up = new ChannelUp(n, _naming, _healer);
        _down = new ChannelDown(n, _up);
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

    /// <summary>Makes the request's interface a configured channel interface; returns its record.</summary>
    public ChannelRecord Up(ChannelRequest req) => Locked(() => _up.Run(req));

    /// <summary>
    /// Tears the channel down: hooks, DHCP entry, route, address, record. The request may
    /// name the channel or the interface's name before it was renamed. Returns null when
    /// there was nothing to tear down (already gone): that is not an error.
    /// </summary>
    public ChannelRecord? Down(DownRequest req) => Locked(() => _down.Run(req));

    /// <summary>
    /// The kernel removed interface <paramref name="name"/> with ifindex
    /// <paramref name="ifindex"/> (GntCom's udev rule): the channel recorded for exactly that
    /// interface goes. Returns the channel torn down, null when there was nothing to do.
    /// </summary>
    public ChannelRecord? Removed(string name, int ifindex)
    {
        // udevd kills what its handlers leave running (and its sandbox denies them IP):
        // dnsmasq is not (re)started from here, not even by the healing of a killed call.
        _n.Dhcp.MayStart = false;
        return Locked(() => _down.Removed(name, ifindex));
    }

    /// <summary>
    /// gnt-com down --all: takes GntCom off this node. Every channel goes as its down call
    /// would take it (the admin's call: the hooks get its environment), the reservations and
    /// the shared rules go, dnsmasq stops, and the state directory is emptied. Refused while
    /// GntCom is enabled for Ganeti (Ganeti would run its shims for the next instance):
    /// `gnt-com ganeti disable` first. Returns the channels taken down.
    /// </summary>
    public List<ChannelRecord> DownAll()
    {
        if (Ganeti.GanetiShims.IsEnabled(_n.Cfg))
            throw new GntComException("GntCom is enabled for Ganeti in " + _n.Cfg.GanetiDir + ": run 'gnt-com ganeti disable' first");
        using var hostLock = _n.Store.Lock();
        _healer.Before(new Repairs(log: true));
        var records = _n.Store.Records();
        foreach (var r in records)
        {
            ConfiguredChannel.TearDown(_n, r, Hooks.HookCaller.Caller());
            Log.Info("down " + r.Describe());
        }
        _n.Dhcp.Sync(new List<ChannelRecord>());
        _n.Dhcp.StopExtras(0);
        // Xen vifs brought online without an IP, waiting for xen-ifup-os: nobody completes them now.
        foreach (var note in _n.Store.Notes())
            if (_n.Nl.LinkByIndex(note.Index) is { IsUp: true } l && l.Name == note.Name)
                Net.NetlinkHandle.IgnoreNotFound(() => _n.Nl.LinkSetDown(note.Index));
        Isolation.Remove(_n.Nl, _n.Cfg.Network);
        Isolation.MigrateLegacy(_n.Nl);
        _n.Store.RemoveAll();
        Log.Info("GntCom's state in " + _n.Store.Root + " emptied: nothing of GntCom is left on this node");
        return records;
    }

    /// <summary>
    /// The kernel added the channel-named interface <paramref name="name"/> (GntCom's udev
    /// rule): when it is the tap of an instance Ganeti's migrate hook said is coming, its
    /// channel is set up now, ahead of the guest (<see cref="KvmArrival"/>). Returns it, or
    /// null when the interface is nobody's expected channel (the common case: one listing).
    /// </summary>
    public ChannelRecord? Arrived(string name, int ifindex)
    {
        if (!_n.Cfg.IsChannelName(name)) return null;
        var expected = new KvmArrival(_n).Find(name, ifindex);
        if (expected == null) return null;
        // udevd kills what its handlers leave running: dnsmasq's start is left to Ganeti's kvm-ifup.
        _n.Dhcp.MayStart = false;
        return Locked(() =>
        {
            if (_n.Nl.LinkByIndex(ifindex) is not { } link || link.Name != name) return null;
            var record = _up.Run(new ChannelRequest
            {
                Interface = name, Ip = expected.Ip, Mac = expected.Mac, Instance = expected.Instance, Kind = ChannelKind.Tap,
                Prepared = true,
            });
            _n.Store.DeleteExpected(expected.Mac);
            return record;
        });
    }

    /// <summary>Whether <paramref name="name"/> is reserved (its reservation knows the guest's IP).</summary>
    public bool IsReserved(string name) => _n.Cfg.IsChannelName(name) && _n.Store.Reservation(name) != null;

    /// <summary>A Ganeti channel vif with no guest IP anywhere (see <see cref="XenVifs.Online"/>); returns its final name.</summary>
    public string VifOnline(string dev, string vifname, string backend, string? mac) =>
        Locked(() => new XenVifs(_n, _up, _down).Online(dev, vifname, backend, mac));

    /// <summary>Offline of a channel vif (see <see cref="XenVifs.Offline"/>).</summary>
    public void VifOffline(string dev, string? vifname, string backend, RoutedRequest? orRouted = null) =>
        Locked(() => new XenVifs(_n, _up, _down).Offline(dev, vifname, backend, orRouted));

    /// <summary>Sets a routed vif up as Xen's vif-route does; returns its final name.</summary>
    public string RoutedOnline(RoutedRequest req) => Locked(() => new RoutedVif(_n).Online(req));

    /// <summary>Removes a routed vif's guest routes (best effort: anything gone is fine).</summary>
    public void RoutedOffline(RoutedRequest req) => Locked(() => new RoutedVif(_n).Offline(req));

    /// <summary>Reserves the next free name for a guest about to start (gnt-com allocate).</summary>
    public Reservation Allocate(IPAddress ip, string mac, string? instance) => Locked(() =>
    {
        var store = _n.Store;
        if (store.ClaimOwner(ClaimKind.Ip, ip.ToString()) is string owner && store.Reservation(owner) is Reservation same && same.Mac == mac)
            return same; // idempotent: asking twice gives the same name
        _up.CheckHolders(ip, mac, "");
        string name = _naming.NextFreeName();
        if (_up.RecordOf(name) is ChannelRecord stale) _healer.Forget(stale, new Repairs(log: true)); // its guest vanished
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
        // Claims first, the reservation last: a release killed between them is finished by the next.
        store.Unclaim(ClaimKind.Ip, reservation.Ip.ToString(), name);
        store.Unclaim(ClaimKind.Mac, reservation.Mac, name);
        store.DeleteReservation(name);
        Log.Info("released " + name);
        return true;
    });

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
        Locked(() => new Adoption(_n, _naming).Run(ganetiRunDir, dryRun));

    /// <summary>gnt-com ganeti enable: GntCom's shims in place of Ganeti's channel scripts, then adopt.</summary>
    public GanetiPlan GanetiEnable(string ganetiRunDir, bool dryRun) =>
        Locked(() => new GanetiIntegration(_n, _naming).Enable(ganetiRunDir, dryRun));

    /// <summary>gnt-com ganeti refresh: an enabled node's shims as this version writes them.</summary>
    public GanetiPlan GanetiRefresh(bool dryRun) => Locked(() => new GanetiIntegration(_n, _naming).Refresh(dryRun));

    /// <summary>gnt-com ganeti disable: Ganeti's scripts back, the channels handed to them.</summary>
    public GanetiPlan GanetiDisable(string ganetiRunDir, bool dryRun) =>
        Locked(() => new GanetiIntegration(_n, _naming).Disable(ganetiRunDir, dryRun));

    /// <summary>
    /// gnt-com ganeti hook, on a live migration's target: before it (pre), the channels of
    /// the instance's communication NICs are expected here; after it (post), what was not
    /// used goes. Returns what it did, for the hook's output (Ganeti logs it).
    /// </summary>
    public string MigrationHook(Inputs.GanetiHookCall call) => Locked(() =>
    {
        if (call.Channels.Count == 0) return "no communication NIC: nothing to do";
        if (call.Phase == "post" || call.Cleanup)
        {
            foreach (var nic in call.Channels) _n.Store.DeleteExpected(nic.Mac);
            return "no channel of " + call.Instance + " expected any more";
        }
        foreach (var nic in call.Channels)
            _n.Store.Save(new ExpectedChannel(nic.Mac, nic.Ip, call.Instance, nic.Index, VifMemory.Now, ExpectedChannel.WallNow));
        string what = string.Join(", ", call.Channels.Select(c => c.Ip + " " + c.Mac));
        Log.Info("expecting " + call.Instance + "'s channel by live migration: " + what);
        return "expecting " + call.Instance + "'s channel " + what;
    });

    /// <summary>gnt-com dhcp reload: rewrites DHCP's files from every record and sends SIGHUP; returns dnsmasq's pid (0: none runs).</summary>
    public int DhcpReload() => Locked(() =>
    {
        if (_n.Cfg.Dhcp == DhcpProvider.Off) throw new GntComException("DHCP is off in " + _n.Cfg.Source);
        _n.Dhcp.Reload(_n.Store.Records().Where(_healer.IsAlive).ToList());
        return _n.Dhcp.RunningPid();
    });

    /// <summary>gnt-com dhcp stop: returns the pid stopped (0: none ran).</summary>
    public int DhcpStop()
    {
        using var hostLock = _n.Store.Lock();
        return _n.Dhcp.Stop();
    }

    /// <summary>The record of <paramref name="name"/>; null when there is none, and a corrupt one (which holds its name until repaired) counts as none.</summary>
    private ChannelRecord? SafeRecordOf(string name)
    {
        try { return _up.RecordOf(name); }
        catch (GntComException) { return null; }
    }
}
