using System.Runtime.CompilerServices;
using GntCom.State;

namespace GntCom.Journaling;

/// <summary>`record NAME`: the channel's record (STATE/ifaces/NAME) was written: it is configured.</summary>
public sealed record RecordStep(string Name) : JournalStep
{
    public override string Verb => "record";

    [ModuleInitializer]
    internal static void Register() => Register("record", r => new RecordStep(r.Name()));

    protected override void Write(StepWriter w) => w.Name(Name);

    internal static void Do(Transaction tx, ChannelRecord r)
    {
        tx.Add(new RecordStep(r.Name));
        tx.Node.Store.Save(r);
    }

    internal override void Undo(UndoContext c) => c.Node.Store.DeleteRecord(Name);
}
