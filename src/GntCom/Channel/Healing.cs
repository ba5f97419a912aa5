using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Sockets;
using GntCom.Hooks;
using GntCom.Journaling;
using GntCom.Logging;
using GntCom.Net;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// What healing did: one line per repair. A call's healing logs them as it goes, a warning
/// for what should not have happened (a killed call, a corrupt file) and info for a guest
/// whose end nobody announced (Ganeti 3.x never calls down: that is its normal end);
/// `gnt-com repair` prints them instead.
/// </summary>
internal sealed class Repairs
{
    private readonly bool _log;

    public Repairs(bool log) => _log = log;

    public List<string> Lines { get; } = new();

    /// <summary>Something put right that should not have needed it.</summary>
    public void Fixed(string line)
    {
        Lines.Add(line);
        if (_log) Log.Warn(line);
    }

    /// <summary>A guest's end that came without a down call: the normal path where no udev rule runs.</summary>
    public void Ended(string line)
    {
        Lines.Add(line);
        if (_log) Log.Info(line);
    }
}

/// <summary>
/// Puts right what nobody else will. A call can be killed at any point, and where no udev
/// rule announces a vanished interface (and Ganeti 3.x and Xen call no down), nothing tells
/// GntCom that a guest is gone. So every call, under the lock: first reverts the journals
/// that killed calls left (<see cref="Before"/>); after its own work, checks a few records
/// (round robin) for interfaces that vanished and forgets those (<see cref="After"/>: never
/// in the way of the call's own channel, which the call itself tears down as an ordinary
/// down). When a guest's name, IP or MAC is wanted, the record in the way is checked first.
/// Per call this is bounded whatever the number of guests; `gnt-com repair` is the full sweep.
/// </summary>
internal sealed class Healer
{
    /// <summary>Records checked by every call (round robin, cursor in STATE/sweep).</summary>
    public const int SweepSize = 4;

    private readonly Node _n;

    public Healer(Node n) => _n = n;

    /// <summary>What every locked call does before its own work: killed calls' journals, temporary files, an old layout.</summary>
    public void Before(Repairs repairs)
    {
        HealJournals(repairs);
        // A call killed while writing a file outside a journal (the sweep's cursor, the
        // name hints) leaves its temporary file here: one listing of a dozen entries.
        _n.Store.Directory.RemoveTemporaryFiles();
        if (_n.Store.Layout < StateStore.CurrentLayout) MigrateLayout(repairs);
    }

    /// <summary>What every locked call does after its own work: the round robin over a few records. It never fails the call.</summary>
    public void After(Repairs repairs)
    {
        try
        {
            Sweep(repairs);
        }
        catch (Exception e) when (e is GntComException or System.IO.IOException)
        {
            repairs.Fixed("could not check for vanished guests: " + e.Message);
        }
    }

    /// <summary>Whether the record's interface is still there under its channel name.</summary>
    public bool IsAlive(ChannelRecord r) =>
        !r.Pending && _n.Nl.LinkByIndex(r.Index) is Link l && l.Name == r.Name;

    /// <summary>Tears down a record whose interface vanished (or whose pre-0.2 set-up was killed).</summary>
    public void Forget(ChannelRecord r, Repairs repairs)
    {
        ConfiguredChannel.TearDown(_n, r, HookCaller.Other);
        if (r.Pending) repairs.Fixed("rolled back the unfinished set-up of " + r.Describe() + " (its run was killed)");
        else repairs.Ended("removed " + r.Describe() + ": its interface is gone (the guest ended without a down call)");
    }

    /// <summary>Reverts (or, for a teardown, finishes) what killed calls left half done.</summary>
    private void HealJournals(Repairs repairs)
    {
        var keys = Journal.Pending(_n.Store);
        if (keys.Count == 0) return;
        foreach (string key in keys)
        {
            try
            {
                HealJournal(key, repairs);
            }
            catch (Exception e) when (e is GntComException or System.IO.IOException)
            {
                // One journal that cannot be healed must not stop every call on the node:
                // it stays for the next call and for `gnt-com check` to name.
                repairs.Fixed("could not heal the journal " + key + " yet: " + e.Message);
            }
        }
        int temps = _n.Store.CleanTemporaryFiles();
        if (temps > 0) repairs.Fixed("removed " + temps + " temporary file(s) of killed runs");
    }

    private void HealJournal(string key, Repairs repairs)
    {
        var bad = new List<string>();
        var steps = Journal.Read(_n.Store, key, bad);
        foreach (string b in bad) repairs.Fixed("ignored " + b);
        var header = steps.Count > 0 ? steps[0] as JournalHeader : null;
        if (header is TeardownHeader teardown)
        {
            foreach (var step in steps)
                if (step is HookGroupStep group) group.Kill();
            var record = SafeRecord(teardown.Name);
            if (record != null) ConfiguredChannel.TearDown(_n, record, HookCaller.Other);
            else if (!_n.Store.HasRecords()) Isolation.Remove(_n.Nl, _n.Cfg.Network); // killed after the last record went
            Journal.Delete(_n.Store, key);
            repairs.Fixed("finished " + teardown.Describe() + " (its run was killed)");
            return;
        }
        Transaction.Revert(_n, steps, HookCaller.Other);
        Journal.Delete(_n.Store, key);
        repairs.Fixed("rolled back the unfinished set-up of " + (header?.Describe() ?? key) + " (its run was killed)");
    }

    /// <summary>Probes at most this many numbers per call for the round robin.</summary>
    private const int SweepProbes = 32;

    /// <summary>
    /// Checks the next few records, round robin over the channel numbers 0..High (the
    /// store's hint), each looked up by name, and forgets those whose interface vanished.
    /// </summary>
    private void Sweep(Repairs repairs)
    {
        var cfg = _n.Cfg;
        int high = _n.Store.NameHints().High;
        if (high >= 0)
        {
            var dir = _n.Store.Directory;
            int cursor = int.TryParse(dir.Read("sweep")?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int c) ? c : -1;
            int i = cursor, found = 0;
            ChannelRecord? vanished = null;
            for (int probes = 0; probes < SweepProbes && found < SweepSize && vanished == null; probes++)
            {
                i = i >= high ? 0 : i + 1;
                string name = cfg.ChannelName(i);
                if (_n.Store.RecordExists(name))
                {
                    found++;
                    var record = SafeRecord(name);
                    if (record != null && !IsAlive(record)) vanished = record;
                }
                if (i == cursor) break;
            }
            // The cursor moves on first: a record that cannot be forgotten is not retried forever.
            // A cursor that cannot be written (a full /run) only means the same records are
            // checked again next time: housekeeping never fails a call.
            if (i != cursor) _n.Store.WriteHousekeeping("sweep", i.ToString(CultureInfo.InvariantCulture) + "\n");
            // At most one per call: its ifdown hooks run under the lock, in someone else's call.
            if (vanished != null)
            {
                try
                {
                    Forget(vanished, repairs);
                }
                catch (Exception e) when (e is GntComException or System.IO.IOException)
                {
                    repairs.Fixed("could not forget " + vanished.Name + " yet: " + e.Message);
                }
            }
        }
        foreach (var note in _n.Store.Notes())
        {
            if (_n.Nl.LinkByIndex(note.Index) is Link l && l.Name == note.Name) continue;
            _n.Store.DeleteNote(note.Index);
            repairs.Ended("forgot the Xen vif " + note.Name + " (was " + note.Original + ") brought online without an IP: it vanished");
        }
    }

    private ChannelRecord? SafeRecord(string name)
    {
        try { return _n.Store.Record(name); }
        catch (GntComException) { return null; } // corrupt: `gnt-com check` names it, repair removes it
    }

    /// <summary>
    /// State written by GntCom before 0.2: removes the per-interface isolation rules
    /// (replaced by the shared ones) and builds the claim and origin indexes from the records.
    /// Runs once; repair runs it again.
    /// </summary>
    public void MigrateLayout(Repairs repairs)
    {
        int removed = Isolation.MigrateLegacy(_n.Nl);
        if (removed > 0) repairs.Fixed("removed " + removed + " per-channel isolation rule(s) and route(s) of GntCom before 0.2");
        var records = _n.Store.Records();
        RebuildIndexes(records, _n.Store.Reservations());
        _n.Store.RecomputeNameHints();
        // The old layout guarded each interface's IPv6 with a rule of its own: give the live
        // channels today's settings (IPv6 off) before those rules are missed.
        foreach (var r in records)
            if (IsAlive(r) && Reconfigure(r) is string failure) repairs.Fixed(failure);
        if (records.Count > 0) Isolation.Ensure(_n.Nl, _n.Cfg.Network);
        _n.Store.SetLayout(StateStore.CurrentLayout);
    }

    /// <summary>Makes the claim and origin files say exactly what the records and reservations say.</summary>
    public void RebuildIndexes(List<ChannelRecord> records, List<Reservation> reservations)
    {
        var store = _n.Store;
        var want = new Dictionary<(ClaimKind, string), string>();
        foreach (var res in reservations)
        {
            want[(ClaimKind.Ip, res.Ip.ToString())] = res.Name;
            want[(ClaimKind.Mac, res.Mac)] = res.Name;
        }
        foreach (var r in records)
        {
            want[(ClaimKind.Ip, r.Ip.ToString())] = r.Name;
            want[(ClaimKind.Mac, r.Mac)] = r.Name;
        }
        foreach (var kind in new[] { ClaimKind.Ip, ClaimKind.Mac })
            foreach (var (value, owner) in store.Claims(kind))
                if (!want.TryGetValue((kind, value), out var w) || w != owner) store.DeleteClaim(kind, value);
        foreach (var ((kind, value), owner) in want)
            if (store.ClaimOwner(kind, value) != owner) store.Claim(kind, value, owner);

        var origins = records.Select(r => (r.Original, r.Owner, r.Name)).ToHashSet();
        foreach (var o in store.AllOrigins())
            if (!origins.Contains(o)) store.DeleteOrigin(o.Original, o.Owner);
        foreach (var (original, owner, name) in origins) store.SaveOrigin(original, owner, name);
    }

    /// <summary>Puts back whatever a live channel interface lacks; returns why it could not, or null.</summary>
    private string? Reconfigure(ChannelRecord r)
    {
        var link = _n.Nl.LinkByIndex(r.Index);
        if (link == null) return null;
        using var tx = Transaction.Begin(_n, r.Name, ChannelHeader.Of(r), HookCaller.Other);
        try
        {
            var s = new SetUp(tx, link, r, _n.Nl.RouteList(AddressFamily.InterNetwork, Route.MainTable, r.Index));
            ConfiguredChannel.Configure(s, ConfiguredChannel.ForRepair);
            if (s.Record != r) _n.Store.Save(s.Record);
            return null;
        }
        catch (GntComException e)
        {
            return "could not repair " + r.Name + ": " + e.Message;
        }
        finally
        {
            tx.Commit(); // what was put back stays put back
        }
    }

    /// <summary>
    /// gnt-com repair: heals everything (every journal, every record, every note), then puts
    /// back whatever is missing on every live channel interface and brings the indexes,
    /// isolation rules and DHCP in step. Returns one line per repair.
    /// </summary>
    public List<string> Repair(List<string> problemsBefore, Func<List<string>> check)
    {
        var repairs = new Repairs(log: false);
        HealJournals(repairs);
        MigrateLayout(repairs);
        var corrupt = new List<string>();
        var records = _n.Store.Records(corrupt);
        foreach (string c in corrupt) repairs.Fixed("left alone: " + c);
        var live = new List<ChannelRecord>();
        foreach (var r in records)
        {
            if (!IsAlive(r)) { Forget(r, repairs); continue; }
            live.Add(r);
            if (Reconfigure(r) is string failure) repairs.Fixed(failure);
        }
        foreach (var note in _n.Store.Notes())
            if (!(_n.Nl.LinkByIndex(note.Index) is Link l && l.Name == note.Name)) _n.Store.DeleteNote(note.Index);
        foreach (string name in _n.Store.MemoryNames())
            if (_n.Store.Memory(name) is not VifMemory m || m.IsExpired(VifMemory.Now)) _n.Store.DeleteMemory(name);
        foreach (var e in _n.Store.ExpectedChannels())
            if (e.IsExpired(VifMemory.Now)) _n.Store.DeleteExpected(e.Mac);
        RebuildIndexes(live, _n.Store.Reservations());
        _n.Store.RecomputeNameHints();
        if (live.Count > 0) Isolation.Reconcile(_n.Nl, _n.Cfg.Network);
        else Isolation.Remove(_n.Nl, _n.Cfg.Network);
        try
        {
            _n.Dhcp.Sync(live);
            foreach (int extra in _n.Dhcp.StopExtras(_n.Dhcp.RunningPid())) repairs.Fixed("stopped an extra dnsmasq (pid " + extra + ")");
        }
        catch (GntComException e)
        {
            repairs.Fixed("could not bring DHCP in step: " + e.Message);
        }
        _n.Store.CleanTemporaryFiles();
        var after = check();
        foreach (string p in problemsBefore)
            if (!after.Contains(p)) repairs.Fixed("fixed: " + p);
        return repairs.Lines;
    }
}
