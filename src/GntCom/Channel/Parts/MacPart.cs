using System.Collections.Generic;
using GntCom.Journaling;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// One MAC for every channel interface, fe:ff:ff:ff:ff:ff, the MAC Xen gives every vif: a
/// guest keeps its neighbour cache across a live migration, so the host side must look the
/// same to it on every node (a new tap's own MAC, or the one udev derives from its name and
/// the node's machine-id, differs from node to node, and the target's kernel drops the
/// guest's frames to the old MAC until the guest's entry times out: 30 s and more). Each
/// channel interface is a link of its own, so they may all share it. A live guest whose
/// interface changes MAC (adopted, or set up by GntCom before 0.4) is told by a gratuitous
/// ARP (<see cref="Net.Arp"/>) when the set-up completes.
/// </summary>
internal sealed class MacPart : ChannelPart
{
    public const string ChannelMac = Inputs.MacAddress.ChannelSide;

    public override bool Repairable => true;

    public override void Configure(SetUp s)
    {
        if (s.Link.Mac == null) return; // a link without a MAC: nothing a guest caches
        if (MacStep.Do(s.Tx, s.Link, ChannelMac)) s.Link = s.Link with { Mac = ChannelMac };
        s.Record = s.Record with { HostMac = ChannelMac };
    }

    /// <summary>Only where the record says the channel has it: a channel of GntCom 0.3, or an adopted one, keeps the MAC its live guest knows.</summary>
    public override void Repair(SetUp s)
    {
        if (s.Record.HostMac is string mac && MacStep.Do(s.Tx, s.Link, mac)) s.Link = s.Link with { Mac = mac };
    }

    public override void Check(CheckView v, ChannelRecord r, List<string> problems)
    {
        if (r.HostMac != null && v.Links.TryGetValue(r.Index, out var link) && link.Mac != r.HostMac)
            problems.Add(r.Name + ": MAC is " + link.Mac + ", not " + r.HostMac + " (a guest migrating here would not reach its host)");
    }
}
