using GntCom.Journaling;

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
    public const string ChannelMac = "fe:ff:ff:ff:ff:ff";

    public override void Configure(SetUp s)
    {
        if (MacStep.Do(s.Tx, s.Link, ChannelMac))
        {
            s.Link = s.Link with { Mac = ChannelMac };
            s.MacChanged = true;
        }
    }
}
