using System.Collections.Generic;
using System.Net;
using GntCom.Hooks;
using GntCom.Journaling;
using GntCom.Net;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// One thing a configured channel interface has (its name, its address, its host route, a
/// sysctl, its DHCP entry...), owned end to end by one type: how it is put in place (each
/// change a journal step, so that it can be undone), how it is checked against the live
/// host and how it is removed. <see cref="ConfiguredChannel"/> lists them in order.
/// </summary>
internal abstract class ChannelPart
{
    /// <summary>Puts the part in place; one already in place changes nothing.</summary>
    public virtual void Configure(SetUp s)
    {
    }

    /// <summary>Removes the part (best effort: "already gone" is success).</summary>
    public virtual void Remove(TearDown t)
    {
    }

    /// <summary>Adds to <paramref name="problems"/> how the live interface differs from what the part puts there.</summary>
    public virtual void Check(CheckView v, ChannelRecord r, List<string> problems)
    {
    }

    /// <summary>Whether the part depends on the guest (its IP, MAC, instance): a re-address replaces exactly these.</summary>
    public virtual bool OfGuest => false;

    /// <summary>Whether `gnt-com repair` puts the part back on a live channel (the interface's settings and the shared rules).</summary>
    public virtual bool Repairable => false;
}

/// <summary>A set-up in progress: the transaction, the link as the steps left it, the record as configured so far.</summary>
internal sealed class SetUp
{
    public SetUp(Transaction tx, Link link, ChannelRecord record, IReadOnlyList<Route> routesOnLink)
    {
        Tx = tx;
        Link = link;
        Record = record;
        RoutesOnLink = routesOnLink;
    }

    public Transaction Tx { get; }
    public Node Node => Tx.Node;
    public Link Link { get; set; }
    public ChannelRecord Record { get; set; }
    /// <summary>The link's main-table IPv4 routes, read before (none for a link that was down).</summary>
    public IReadOnlyList<Route> RoutesOnLink { get; }
    /// <summary>The reservation the channel uses up.</summary>
    public Reservation? Reservation { get; init; }
    /// <summary>The Xen vif's note (brought online without an IP) the channel uses up.</summary>
    public VifNote? Note { get; init; }
    /// <summary>Whether the set-up gave the link another MAC (a guest that cached the old one is told).</summary>
    public bool MacChanged { get; set; }
}

/// <summary>
/// A teardown in progress: the record, its interface when it is still there under the
/// channel's name (else only state and shared things are removed), whom the hooks act for,
/// and the teardown's journal (null when even that could not be written: a full /run).
/// </summary>
internal sealed class TearDown
{
    public TearDown(Node node, ChannelRecord record, Link? link, HookCaller caller, Journal? journal)
    {
        Node = node;
        Record = record;
        Link = link;
        Caller = caller;
        Journal = journal;
    }

    public Node Node { get; }
    public ChannelRecord Record { get; }
    public Link? Link { get; }
    public HookCaller Caller { get; }
    public Journal? Journal { get; }
    /// <summary>What only saves work and could not be written (said once the teardown is done).</summary>
    public List<string> Unrecorded { get; } = new();

    /// <summary>Whether another channel than this one is recorded (this one is the last when not).</summary>
    public bool OthersRemain => Node.Store.HasRecordsBesides(Record.Name);

    /// <summary>Journals a step when the journal can take it; says so otherwise.</summary>
    public void Journaled(JournalStep step, string what)
    {
        if (Journal == null) return;
        try { Journal.Add(step); }
        catch (GntComException e) { Unrecorded.Add(what + " in the journal (" + e.Message + ")"); }
    }
}

/// <summary>What `gnt-com check` compares each channel with: the host's links, addresses and routes, read once.</summary>
internal sealed record CheckView(Node Node, Dictionary<int, Link> Links, List<Addr> Addrs, List<Route> Routes, bool Ipv6Mode, IPAddress Address);
