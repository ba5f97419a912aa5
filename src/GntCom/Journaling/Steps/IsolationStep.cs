using System.Runtime.CompilerServices;
using GntCom.Channel;

namespace GntCom.Journaling;

/// <summary>`isolation`: this call installed the shared isolation rules (it sets up the first channel).</summary>
public sealed record IsolationStep : JournalStep
{
    public override string Verb => "isolation";

    [ModuleInitializer]
    internal static void Register() => Register("isolation", _ => new IsolationStep());

    protected override void Write(StepWriter w)
    {
    }

    /// <summary>Makes sure the shared rules are there (journaled when no channel had them yet).</summary>
    internal static void Do(Transaction tx)
    {
        var n = tx.Node;
        if (!n.Store.HasRecords()) tx.Add(new IsolationStep());
        Isolation.Ensure(n.Nl, n.Cfg.Network);
    }

    internal override void Undo(UndoContext c)
    {
        if (!c.Node.Store.HasRecords()) Isolation.Remove(c.Node.Nl, c.Node.Cfg.Network);
    }
}
