using System.Collections.Generic;
using GntCom.Hooks;
using GntCom.Journaling;
using GntCom.Logging;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// What a configured channel interface is, said once: its parts, in the order a set-up puts
/// them in place. A teardown removes them in the reverse order, but for the record, which
/// is written last and forgotten last (a killed set-up is rolled back from its journal, a
/// killed teardown finished from the record); so the ifdown hooks run first. `gnt-com
/// check` asks each part; adoption and repair use the parts they need.
/// </summary>
internal static class ConfiguredChannel
{
    private static readonly ChannelPart Mac = new MacPart(), Dhcp = new DhcpPart(), Record = new RecordPart();

    public static readonly ChannelPart[] Parts =
    {
        // The shared rules before the interface carries anything, and gone only after it carries nothing.
        new ClaimsPart(), new VifMemoryPart(), new IsolationPart(), new NamePart(), new LinkUpPart(), Mac, new AddressPart(),
        new HostRoutePart(), new RpFilterPart(), new TxChecksumPart(), new Ipv6Part(), Dhcp, new HooksPart(), Record,
    };

    /// <summary>
    /// Taking over a channel Ganeti's scripts configured: its MAC stays (its guest knows it),
    /// and DHCP is set up for every adopted channel at once, after Ganeti's dnsmasq is gone.
    /// </summary>
    public static readonly ChannelPart[] ForAdoption = Without(Mac, Dhcp);

    /// <summary>What `gnt-com repair` puts back on a live channel: the interface's own settings and the shared rules.</summary>
    public static readonly ChannelPart[] ForRepair = System.Array.FindAll(Parts, p => p.Repairable);

    /// <summary>Puts back what a live channel lacks (`gnt-com repair`), in order; each change is a step of <paramref name="s"/>'s transaction.</summary>
    public static void Repair(SetUp s)
    {
        foreach (var p in ForRepair) p.Repair(s);
    }

    /// <summary>Puts <paramref name="parts"/> in place, in order; each change is a step of <paramref name="s"/>'s transaction.</summary>
    public static void Configure(SetUp s, IReadOnlyList<ChannelPart> parts)
    {
        foreach (var p in parts) p.Configure(s);
    }

    /// <summary>
    /// Removes every part of <paramref name="record"/> (or only those of its guest, for a
    /// re-address: <paramref name="guestOnly"/>), journaled as a teardown. Never fails on
    /// "already gone"; what only saves work (the journal, DHCP's files, a memory) may fail
    /// on a full state filesystem: the teardown goes on and says what it could not record.
    /// </summary>
    public static void TearDown(Node n, ChannelRecord record, HookCaller caller, bool guestOnly = false)
    {
        Journal? journal = null;
        var unrecorded = new List<string>();
        try
        {
            journal = Journal.Begin(n.Store, record.Name, new TeardownHeader(record.Name));
        }
        catch (GntComException e)
        {
            unrecorded.Add("its journal (" + e.Message + ")");
        }
        var link = n.Nl.LinkByIndex(record.Index);
        var t = new TearDown(n, record, link?.Name == record.Name ? link : null, caller, journal);
        for (int i = Parts.Length - 2; i >= 0; i--)
            if (!guestOnly || Parts[i].OfGuest) Parts[i].Remove(t);
        Record.Remove(t);
        journal?.Commit();
        unrecorded.InsertRange(0, t.Unrecorded);
        if (unrecorded.Count > 0)
            Log.Warn("teardown of " + record.Name + " done, but could not record " + string.Join("; ", unrecorded));
    }

    /// <summary>
    /// Forgets the channel's state: its origin and claims first, its record last. The record
    /// is what a killed teardown's healing finds the rest by, so a kill between two of these
    /// leaves the record, and the healing forgets the rest again; never a claim or an origin
    /// naming a channel that has no record (which would make a later down ambiguous).
    /// </summary>
    public static void Forget(Node n, ChannelRecord r)
    {
        n.Store.DeleteOrigin(r.Original, r.Owner);
        n.Store.Unclaim(ClaimKind.Ip, r.Ip.ToString(), r.Name);
        n.Store.Unclaim(ClaimKind.Mac, r.Mac, r.Name);
        n.Store.DeleteRecord(r.Name);
    }

    /// <summary>
    /// Lets go of a live channel without touching it (`gnt-com ganeti disable`, a failed
    /// enable): the interface stays up, addressed and routed, as Ganeti's own scripts leave
    /// one, and GntCom forgets it; only GntCom's own IPv6 rule goes.
    /// </summary>
    public static void HandOver(Node n, ChannelRecord r)
    {
        Forget(n, r);
        if (r.Ipv6 != null) Isolation.RemoveIpv6Rule(n.Nl, r.Name);
        Log.Info("handed " + r.Describe() + " back to Ganeti's scripts");
    }

    /// <summary>How the live interface differs from what each part puts there.</summary>
    public static void Check(CheckView v, ChannelRecord r, List<string> problems)
    {
        foreach (var p in Parts) p.Check(v, r, problems);
    }

    private static ChannelPart[] Without(params ChannelPart[] left)
    {
        var list = new List<ChannelPart>(Parts);
        foreach (var p in left) list.Remove(p);
        return list.ToArray();
    }
}
