using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using GntCom.Config;
using GntCom.Inputs;
using GntCom.Net;

namespace GntCom.State;

/// <summary>
/// GntCom's state directory: the lock, one record per channel interface (ifaces/),
/// one file per reserved name (reservations/) and the DHCP files (dhcp/).
/// State belongs to one network namespace: outside the host's own namespace it lives
/// in STATE_DIR/netns/INODE, so a test or a container never touches the host's state.
/// Callers change it only while holding <see cref="Lock"/>.
/// </summary>
public sealed class StateStore
{
    private readonly GntComConfig _cfg;

    public StateStore(GntComConfig cfg)
    {
        _cfg = cfg;
        var (inode, initial) = NetNamespace.Current();
        Root = initial ? cfg.StateDir : Path.Combine(cfg.StateDir, "netns", inode.ToString(CultureInfo.InvariantCulture));
    }

    public string Root { get; }
    public string LockPath => Path.Combine(Root, "lock");
    public string IfacesDir => Path.Combine(Root, "ifaces");
    public string ReservationsDir => Path.Combine(Root, "reservations");
    public string DhcpDir => Path.Combine(Root, "dhcp");

    /// <summary>Creates the directories if needed and takes the host-wide lock.</summary>
    public HostLock Lock()
    {
        try
        {
            Directory.CreateDirectory(IfacesDir);
            Directory.CreateDirectory(ReservationsDir);
            Directory.CreateDirectory(DhcpDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GntComException("cannot create state directory " + Root + ": " + e.Message);
        }
        return HostLock.Acquire(LockPath);
    }

    /// <summary>Every readable record; unreadable ones are named in <paramref name="corrupt"/>.</summary>
    public List<ChannelRecord> Records(List<string>? corrupt = null)
    {
        var list = new List<ChannelRecord>();
        foreach (var (name, text) in ReadDir(IfacesDir))
        {
            try { list.Add(ChannelRecord.Parse(name, text, _cfg)); }
            catch (InvalidInputException e) { corrupt?.Add(e.Message); }
        }
        list.Sort((a, b) => _cfg.ChannelIndex(a.Name).CompareTo(_cfg.ChannelIndex(b.Name)));
        return list;
    }

    public void Save(ChannelRecord record) => AtomicFile.Write(Path.Combine(IfacesDir, record.Name), record.Serialize());

    public void DeleteRecord(string name) => AtomicFile.Delete(Path.Combine(IfacesDir, Names.Interface(name, "record name")));

    public List<Reservation> Reservations(List<string>? corrupt = null)
    {
        var list = new List<Reservation>();
        foreach (var (name, text) in ReadDir(ReservationsDir))
        {
            try { list.Add(Reservation.Parse(name, text, _cfg)); }
            catch (InvalidInputException e) { corrupt?.Add(e.Message); }
        }
        return list;
    }

    public void Save(Reservation r) => AtomicFile.Write(Path.Combine(ReservationsDir, r.Name), r.Serialize());

    public void DeleteReservation(string name) => AtomicFile.Delete(Path.Combine(ReservationsDir, Names.Interface(name, "reservation name")));

    /// <summary>Names of every file in ifaces/ and reservations/, readable or not: none may be handed out again.</summary>
    public HashSet<string> TakenNames()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (string dir in new[] { IfacesDir, ReservationsDir })
            foreach (string f in ListFiles(dir)) set.Add(f);
        return set;
    }

    /// <summary>Removes temporary files left by writers that were killed (call under the lock).</summary>
    public int CleanTemporaryFiles()
    {
        int n = 0;
        foreach (string dir in new[] { IfacesDir, ReservationsDir, DhcpDir })
        {
            foreach (string f in ListFiles(dir))
            {
                if (!f.Contains(AtomicFile.TempMarker, StringComparison.Ordinal)) continue;
                AtomicFile.TryDelete(Path.Combine(dir, f));
                n++;
            }
        }
        return n;
    }

    private static IEnumerable<string> ListFiles(string dir)
    {
        string[] files;
        try { files = Directory.GetFiles(dir); }
        catch (DirectoryNotFoundException) { yield break; }
        foreach (string f in files) yield return Path.GetFileName(f);
    }

    private static IEnumerable<(string Name, string Text)> ReadDir(string dir)
    {
        foreach (string name in ListFiles(dir))
        {
            if (name.Contains(AtomicFile.TempMarker, StringComparison.Ordinal)) continue;
            string? text = AtomicFile.ReadOrNull(Path.Combine(dir, name));
            if (text != null) yield return (name, text);
        }
    }
}
