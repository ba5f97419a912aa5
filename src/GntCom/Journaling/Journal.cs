using System;
using System.Collections.Generic;
using System.Text;
using GntCom.Interop;
using GntCom.State;

namespace GntCom.Journaling;

/// <summary>
/// The undo journal of one call in progress (STATE/journal/KEY): before each step changes
/// anything, a line says what it is about to change and what was there before. A call
/// that completes deletes its journal (<see cref="Commit"/>); a call that fails has its
/// steps reverted from it, newest first; a call that is killed leaves it behind, and the
/// next call, under the host lock, reverts it. Appends are single write(2)s to a file in
/// /run: they survive a SIGKILL of the writer.
/// </summary>
public sealed class Journal : IDisposable
{
    private readonly StateDirectory _dir;
    private int _fd;
    private readonly List<JournalStep> _entries = new();

    private Journal(StateDirectory dir, string key, int fd)
    {
        _dir = dir;
        Key = key;
        _fd = fd;
    }

    public string Key { get; }
    public IReadOnlyList<JournalStep> Entries => _entries;
    public bool Committed { get; private set; }

    /// <summary>Starts a journal named <paramref name="key"/> whose first line is <paramref name="header"/>.</summary>
    public static Journal Begin(StateStore store, string key, JournalHeader header)
    {
        var dir = store.JournalDir(true)!;
        int fd = dir.OpenFile(key, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_TRUNC | Libc.O_APPEND, 0b110_000_000);
        if (fd < 0) throw new GntComException("cannot write journal " + dir.Combine(key) + ": " + Errno.Describe(Libc.Errno));
        var j = new Journal(dir, key, fd);
        try
        {
            j.Add(header);
        }
        catch
        {
            // No space for even the header (a full /run): no journal, rather than an empty one
            // that the next call would take for a killed call's.
            j.Close();
            dir.Delete(key);
            throw;
        }
        return j;
    }

    /// <summary>Records a step before it is taken.</summary>
    public void Add(JournalStep entry)
    {
        if (Committed) throw new InvalidOperationException("journal " + Key + " is already committed");
        Libc.WriteAllOrThrow(_fd, Encoding.UTF8.GetBytes(entry + "\n"), _dir.Combine(Key));
        _entries.Add(entry);
    }

    /// <summary>The call completed: its journal goes.</summary>
    public void Commit()
    {
        Close();
        _dir.Delete(Key);
        Committed = true;
    }

    /// <summary>Called after the steps were reverted: the journal goes.</summary>
    public void Discard() => Commit();

    private void Close()
    {
        if (_fd >= 0) Libc.Close(_fd);
        _fd = -1;
    }

    public void Dispose() => Close();

    /// <summary>Journals left behind (their keys); read each with <see cref="Read"/>.</summary>
    public static List<string> Pending(StateStore store)
    {
        var keys = new List<string>();
        var dir = store.JournalDir(false);
        if (dir == null) return keys;
        foreach (string f in dir.List())
            if (!f.Contains(StateDirectory.TempMarker, StringComparison.Ordinal)) keys.Add(f);
        return keys;
    }

    /// <summary>A left-behind journal's entries; unreadable lines (a line cut short by a kill, or garbage) are named in <paramref name="bad"/>.</summary>
    public static List<JournalStep> Read(StateStore store, string key, List<string> bad)
    {
        var entries = new List<JournalStep>();
        string? text = store.JournalDir(false)?.Read(key);
        if (text == null) return entries;
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            try { entries.Add(JournalStep.Parse(line)); }
            catch (InvalidInputException e) { bad.Add(e.Message); }
        }
        return entries;
    }

    public static void Delete(StateStore store, string key) => store.JournalDir(false)?.Delete(key);
}
