using System;
using System.Collections.Generic;
using System.Globalization;
using GntCom.Config;
using GntCom.Inputs;
using GntCom.Net;

namespace GntCom.State;

/// <summary>
/// GntCom's state directory. Every lookup a hypervisor call makes reads one small file
/// named by what is looked up, so a call's cost does not grow with the number of guests:
/// <list type="bullet">
/// <item>ifaces/NAME: the record of a configured channel interface</item>
/// <item>reservations/NAME: a name reserved by `gnt-com allocate`</item>
/// <item>ips/IP, macs/MAC: who holds a guest IP or MAC (a record or a reservation), for uniqueness</item>
/// <item>origins/ORIGINAL,OWNER: which channel a hypervisor's name became (qemu's downscript gets the old name)</item>
/// <item>notes/IFINDEX: a Xen vif brought online without an IP, waiting for Ganeti's xen-ifup-os</item>
/// <item>recent/NAME: what a Xen channel vif carried when it went, for its domain's restart (<see cref="VifMemory"/>)</item>
/// <item>journal/KEY: the undo journal of a call in progress (left behind by a killed one)</item>
/// <item>dhcp/: dnsmasq's files; layout: the state's format version; lock</item>
/// </list>
/// State belongs to one network namespace: outside the host's own it lives in
/// STATE_DIR/netns/INODE, so a test or a container never touches the host's state.
/// Callers change it only while holding <see cref="Lock"/>.
/// </summary>
public sealed partial class StateStore : IDisposable
{
    /// <summary>The state format this version writes: 2 = claims, origins and journals, O(1) isolation rules.</summary>
    public const int CurrentLayout = 2;

    private readonly GntComConfig _cfg;
    private readonly StateDirectory _base;
    private readonly StateDirectory _root;

    private StateStore(GntComConfig cfg, StateDirectory @base, StateDirectory root)
    {
        _cfg = cfg;
        _base = @base;
        _root = root;
    }

    /// <summary>Opens the state of this network namespace, creating it when <paramref name="create"/>; null when it does not exist yet.</summary>
    public static StateStore? Open(GntComConfig cfg, bool create)
    {
        var (inode, initial) = NetNamespace.Current();
        if (!create && !System.IO.Directory.Exists(cfg.StateDir)) return null;
        var @base = StateDirectory.Open(cfg.StateDir, create);
        try
        {
            var root = @base;
            if (!initial)
            {
                var netns = @base.Sub("netns", create);
                root = netns?.Sub(inode.ToString(CultureInfo.InvariantCulture), create)!;
                if (root == null) { @base.Dispose(); return null; }
            }
            return new StateStore(cfg, @base, root);
        }
        catch
        {
            @base.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Removes this namespace's state directory and all it holds (`gnt-com down --all`, the
    /// package's removal); the state of other network namespaces (STATE/netns/INODE) stays,
    /// and STATE itself goes when nothing else is left in it. Call under the lock: the lock
    /// file goes last.
    /// </summary>
    public void RemoveAll()
    {
        _root.Clear("netns", "lock");
        _root.Delete("lock");
        var (inode, initial) = NetNamespace.Current();
        if (!initial && _base.Sub("netns", create: false) is StateDirectory netns)
        {
            netns.RemoveDirectory(inode.ToString(CultureInfo.InvariantCulture));
            _base.RemoveDirectory("netns");
        }
        else if (!_root.RemoveDirectory("netns")) return; // other namespaces' state: STATE stays
        if (Interop.Libc.UnlinkAt(Interop.Libc.AT_FDCWD, _base.Path, 0x200) < 0 && Interop.Libc.Errno is not (Interop.Errno.ENOENT or Interop.Errno.ENOTEMPTY or Interop.Errno.EEXIST))
            throw new GntComException("cannot remove " + _base.Path + ": " + Interop.Errno.Describe(Interop.Libc.Errno));
    }

    public string Root => _root.Path;
    public StateDirectory Directory => _root;

    public HostLock Lock() => HostLock.Acquire(_root, _cfg.LockTimeout);

    public void Dispose() => _base.Dispose();

    private StateDirectory? Dir(string name, bool create) => _root.Sub(name, create);

    // ---- records --------------------------------------------------------------

    /// <summary>The record of channel <paramref name="name"/>, null when there is none; a corrupt one is an error naming it.</summary>
    public ChannelRecord? Record(string name)
    {
        string? text = Dir("ifaces", false)?.Read(name);
        if (text == null) return null;
        try { return ChannelRecord.Parse(name, text, _cfg); }
        catch (InvalidInputException e) { throw new GntComException(e.Message + " ('gnt-com repair' removes it)"); }
    }

    public void Save(ChannelRecord r)
    {
        Dir("ifaces", true)!.Write(r.Name, r.Serialize());
        NameTaken(r.Name);
    }

    public void DeleteRecord(string name)
    {
        Dir("ifaces", false)?.Delete(Names.Interface(name, "record name"));
        NameFreed(name);
    }

    public bool RecordExists(string name) => Dir("ifaces", false)?.Exists(name) == true;

    /// <summary>Whether any channel is recorded: reads only the first entries of ifaces/.</summary>
    public bool HasRecords() => Dir("ifaces", false)?.HasEntries() == true;

    /// <summary>Whether any channel but <paramref name="name"/> is recorded.</summary>
    public bool HasRecordsBesides(string name) => Dir("ifaces", false)?.HasEntries(name) == true;

    /// <summary>The names of every record file (one directory listing; no file is read): for the admin's full sweeps.</summary>
    public List<string> RecordNames() => ChannelNames(Dir("ifaces", false));

    /// <summary>Every readable record (status, check, repair); unreadable ones are named in <paramref name="corrupt"/>.</summary>
    public List<ChannelRecord> Records(List<string>? corrupt = null)
    {
        var list = new List<ChannelRecord>();
        var dir = Dir("ifaces", false);
        foreach (string name in ChannelNames(dir))
        {
            try
            {
                string? text = dir!.Read(name);
                if (text != null) list.Add(ChannelRecord.Parse(name, text, _cfg));
            }
            catch (InvalidInputException e) { corrupt?.Add(e.Message); }
        }
        list.Sort((a, b) => _cfg.ChannelIndex(a.Name).CompareTo(_cfg.ChannelIndex(b.Name)));
        return list;
    }

    // ---- reservations ---------------------------------------------------------

    public Reservation? Reservation(string name)
    {
        string? text = Dir("reservations", false)?.Read(name);
        if (text == null) return null;
        try { return State.Reservation.Parse(name, text, _cfg); }
        catch (InvalidInputException e) { throw new GntComException(e.Message + " ('gnt-com release' it)"); }
    }

    public void Save(Reservation r)
    {
        Dir("reservations", true)!.Write(r.Name, r.Serialize());
        NameTaken(r.Name);
    }

    public void DeleteReservation(string name)
    {
        Dir("reservations", false)?.Delete(Names.Interface(name, "reservation name"));
        NameFreed(name);
    }

    public bool ReservationExists(string name) => Dir("reservations", false)?.Exists(name) == true;

    public List<string> ReservationNames() => ChannelNames(Dir("reservations", false));

    public List<Reservation> Reservations(List<string>? corrupt = null)
    {
        var list = new List<Reservation>();
        var dir = Dir("reservations", false);
        foreach (string name in ChannelNames(dir))
        {
            try
            {
                string? text = dir!.Read(name);
                if (text != null) list.Add(State.Reservation.Parse(name, text, _cfg));
            }
            catch (InvalidInputException e) { corrupt?.Add(e.Message); }
        }
        list.Sort((a, b) => _cfg.ChannelIndex(a.Name).CompareTo(_cfg.ChannelIndex(b.Name)));
        return list;
    }

    private List<string> ChannelNames(StateDirectory? dir)
    {
        var names = new List<string>();
        if (dir == null) return names;
        foreach (string f in dir.List())
            if (_cfg.IsChannelName(f)) names.Add(f);
        return names;
    }

    // ---- name hints: where to look, without listing every record ----------------

    private (int Low, int High)? _hints;

    /// <summary>
    /// Two numbers kept in STATE/names: every channel number below Low is taken (a record
    /// or a reservation), and none above High is recorded. The lowest free name is then
    /// found by probing from Low (one or two lookups when names are dense, as they are),
    /// and the round robin of vanished-guest checks stays within 0..High. They are
    /// recomputed from a listing when the file is missing (and by `gnt-com repair`).
    /// </summary>
    public (int Low, int High) NameHints()
    {
        if (_hints is { } h) return h;
        string? text = _root.Read("names");
        string[] f = (text ?? "").Trim().Split(' ');
        if (f.Length == 2 && int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out int low)
            && int.TryParse(f[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int high) && high >= -1)
            return (_hints = (low, high)).Value;
        return RecomputeNameHints();
    }

    /// <summary>Sets the hints from a listing of every record and reservation.</summary>
    public (int Low, int High) RecomputeNameHints()
    {
        var taken = new HashSet<int>();
        foreach (string n in RecordNames()) taken.Add(_cfg.ChannelIndex(n));
        foreach (string n in ReservationNames()) taken.Add(_cfg.ChannelIndex(n));
        int low = 0;
        while (taken.Contains(low)) low++;
        int high = -1;
        foreach (int i in taken) high = Math.Max(high, i);
        SaveHints((low, high));
        return (low, high);
    }

    private void SaveHints((int Low, int High) h)
    {
        if (_hints == h) return;
        _hints = h;
        // Hints that cannot be written must not be trusted later: without the file the next
        // call recomputes them from a listing.
        if (!WriteHousekeeping("names", h.Low.ToString(CultureInfo.InvariantCulture) + " " + h.High.ToString(CultureInfo.InvariantCulture) + "\n"))
            DeleteQuietly(_root, "names");
    }

    /// <summary>
    /// Writes a file that only saves work (the sweep's cursor, the name hints, DHCP's notes):
    /// a failure (a full /run) is logged and returns false, it never fails the call.
    /// </summary>
    public bool WriteHousekeeping(string name, string content, StateDirectory? dir = null)
    {
        dir ??= _root;
        try
        {
            dir.Write(name, content);
            return true;
        }
        catch (GntComException e)
        {
            Logging.Log.Warn("housekeeping skipped: " + e.Message);
            return false;
        }
    }

    private static void DeleteQuietly(StateDirectory dir, string name)
    {
        try { dir.Delete(name); }
        catch (GntComException) { }
    }

    /// <summary>Probing found <paramref name="index"/> the lowest free number: the hint starts there next time.</summary>
    public void LowestFreeFound(int index)
    {
        var (low, high) = NameHints();
        if (index > low) SaveHints((index, high));
    }

    private void NameTaken(string name)
    {
        int i = _cfg.ChannelIndex(name);
        var (low, high) = NameHints();
        SaveHints((i == low ? low + 1 : low, Math.Max(high, i)));
    }

    private void NameFreed(string name)
    {
        int i = _cfg.ChannelIndex(name);
        var (low, high) = NameHints();
        SaveHints((Math.Min(low, i), high));
    }

    // ---- journals, DHCP files, layout ------------------------------------------

    public StateDirectory? JournalDir(bool create) => Dir("journal", create);

    public StateDirectory DhcpDir => Dir("dhcp", true)!;

    /// <summary>The state format version found (0 when the state predates versioning).</summary>
    public int Layout => int.TryParse(_root.Read("layout")?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : 0;

    public void SetLayout(int version) => _root.Write("layout", version.ToString(CultureInfo.InvariantCulture) + "\n");

    /// <summary>Removes temporary files left by writers that were killed (call under the lock).</summary>
    public int CleanTemporaryFiles()
    {
        int n = 0;
        foreach (string d in new[] { "ifaces", "reservations", "ips", "macs", "origins", "notes", "recent", "expected", "journal", "dhcp" })
            if (Dir(d, false) is StateDirectory dir) n += dir.RemoveTemporaryFiles();
        return n + _root.RemoveTemporaryFiles();
    }
}

/// <summary>What a claim is on: a guest IP or a guest MAC.</summary>
public enum ClaimKind { Ip, Mac }
