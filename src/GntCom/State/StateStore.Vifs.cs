using System;
using System.Collections.Generic;
using System.Globalization;
using GntCom.Inputs;

namespace GntCom.State;

/// <summary>What Xen channel vifs need beyond a record: notes (STATE/notes), memories (STATE/recent), expectations (STATE/expected).</summary>
public sealed partial class StateStore
{
    // ---- notes: Xen vifs brought online without an IP --------------------------

    public VifNote? Note(int index)
    {
        string file = index.ToString(CultureInfo.InvariantCulture);
        string? text = Dir("notes", false)?.Read(file);
        if (text == null) return null;
        try { return VifNote.Parse(file, text); }
        catch (InvalidInputException) { Dir("notes", false)?.Delete(file); return null; }
    }

    public void Save(VifNote note) => Dir("notes", true)!.Write(note.Index.ToString(CultureInfo.InvariantCulture), note.Serialize());

    public void DeleteNote(int index) => Dir("notes", false)?.Delete(index.ToString(CultureInfo.InvariantCulture));

    public List<VifNote> Notes()
    {
        var list = new List<VifNote>();
        var dir = Dir("notes", false);
        if (dir == null) return list;
        foreach (string f in dir.List())
        {
            if (!int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out int index)) continue;
            if (Note(index) is VifNote n) list.Add(n);
        }
        return list;
    }

    // ---- memories: what Xen channel vifs carried when they went --------------------

    /// <summary>The memory of vifname <paramref name="name"/>, null when there is none (an unreadable one is dropped).</summary>
    public VifMemory? Memory(string name)
    {
        var dir = Dir("recent", false);
        string? text = dir?.Read(name);
        if (text == null) return null;
        try { return VifMemory.Parse(name, text, _cfg); }
        catch (InvalidInputException) { DeleteQuietly(dir!, name); return null; }
    }

    /// <summary>Remembers a vif's channel; a memory that cannot be written (a full /run) is only logged.</summary>
    public void Save(VifMemory memory)
    {
        StateDirectory dir;
        try { dir = Dir("recent", true)!; }
        catch (GntComException e) { Logging.Log.Warn("housekeeping skipped: " + e.Message); return; }
        WriteHousekeeping(memory.Name, memory.Serialize(), dir);
    }

    public void DeleteMemory(string name) => Dir("recent", false)?.Delete(Names.Interface(name, "vif memory name"));

    /// <summary>The names of every memory (repair drops the expired ones).</summary>
    public List<string> MemoryNames() => ChannelNames(Dir("recent", false));

    // ---- expectations: channels about to arrive by a live migration ---------------

    /// <summary>The channel expected for guest MAC <paramref name="mac"/>, null when there is none (an unreadable one is dropped).</summary>
    public ExpectedChannel? Expected(string mac)
    {
        var dir = Dir("expected", false);
        string? text = dir?.Read(mac);
        if (text == null) return null;
        try { return ExpectedChannel.Parse(mac, text, _cfg); }
        catch (InvalidInputException) { DeleteQuietly(dir!, mac); return null; }
    }

    public void Save(ExpectedChannel e) => Dir("expected", true)!.Write(e.FileName, e.Serialize());

    public void DeleteExpected(string mac) => Dir("expected", false)?.Delete(Inputs.MacAddress.Parse(mac, "expected channel name"));

    /// <summary>Every readable expectation (status, repair, the KVM arrival); unreadable ones are dropped.</summary>
    public List<ExpectedChannel> ExpectedChannels()
    {
        var list = new List<ExpectedChannel>();
        var dir = Dir("expected", false);
        if (dir == null) return list;
        foreach (string f in dir.List())
            if (Inputs.MacAddress.TryNormalize(f) == f && Expected(f) is ExpectedChannel e) list.Add(e);
        return list;
    }
}
