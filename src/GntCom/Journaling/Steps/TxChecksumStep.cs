using System.Runtime.CompilerServices;
using GntCom.Net;

namespace GntCom.Journaling;

/// <summary>`txcsum IFINDEX`: ethtool -K LINK tx off (the driver had it on).</summary>
public sealed record TxChecksumStep(int Index) : JournalStep
{
    public override string Verb => "txcsum";

    [ModuleInitializer]
    internal static void Register() => Register("txcsum", r => new TxChecksumStep(r.Index()));

    protected override void Write(StepWriter w) => w.Index(Index);

    internal static void Do(Transaction tx, Link link)
    {
        if (Ethtool.GetTxChecksum(link.Name) != true) return;
        tx.Add(new TxChecksumStep(link.Index));
        Ethtool.SetTxChecksum(link.Name, false);
    }

    internal override void Undo(UndoContext c)
    {
        var link = c.Node.Nl.LinkByIndex(Index);
        if (link != null) Ethtool.SetTxChecksum(link.Name, true);
    }
}
