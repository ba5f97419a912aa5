using System.Runtime.CompilerServices;
using GntCom.Net;

namespace GntCom.Journaling;

/// <summary>`mac IFINDEX OLD`: ip link set dev LINK address MAC, remembering the MAC before.</summary>
public sealed record MacStep(int Index, string Old) : JournalStep
{
    public override string Verb => "mac";

    [ModuleInitializer]
    internal static void Register() => Register("mac", r => new MacStep(r.Index(), r.Mac()));

    protected override void Write(StepWriter w) => w.Index(Index).Text(Old);

    /// <summary>Gives the link <paramref name="mac"/>; true when it changed (a link without a MAC is left alone).</summary>
    internal static bool Do(Transaction tx, Link link, string mac)
    {
        if (link.Mac == null || link.Mac == mac) return false;
        tx.Add(new MacStep(link.Index, link.Mac));
        tx.Node.Nl.LinkSetAddress(link.Index, mac);
        return true;
    }

    internal override void Undo(UndoContext c) => NetlinkHandle.IgnoreNotFound(() => c.Node.Nl.LinkSetAddress(Index, Old));
}
