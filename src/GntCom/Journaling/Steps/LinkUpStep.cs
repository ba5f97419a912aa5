using System.Runtime.CompilerServices;
using GntCom.Net;

namespace GntCom.Journaling;

/// <summary>`linkup IFINDEX`: ip link set dev LINK up.</summary>
public sealed record LinkUpStep(int Index) : JournalStep
{
    public override string Verb => "linkup";

    [ModuleInitializer]
    internal static void Register() => Register("linkup", r => new LinkUpStep(r.Index()));

    protected override void Write(StepWriter w) => w.Index(Index);

    internal static Link Do(Transaction tx, Link link)
    {
        if (link.IsUp) return link;
        tx.Add(new LinkUpStep(link.Index));
        tx.Node.Nl.LinkSetUp(link.Index);
        return link.WithUp(true);
    }

    internal override void Undo(UndoContext c) => NetlinkHandle.IgnoreNotFound(() => c.Node.Nl.LinkSetDown(Index));
}
