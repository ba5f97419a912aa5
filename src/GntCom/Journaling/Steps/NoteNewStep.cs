using System.Runtime.CompilerServices;
using GntCom.State;

namespace GntCom.Journaling;

/// <summary>`notenew IFINDEX`: a note was left for a Xen vif brought online without an IP.</summary>
public sealed record NoteNewStep(int Index) : JournalStep
{
    public override string Verb => "notenew";

    [ModuleInitializer]
    internal static void Register() => Register("notenew", r => new NoteNewStep(r.Index()));

    protected override void Write(StepWriter w) => w.Index(Index);

    internal static void Do(Transaction tx, VifNote note)
    {
        tx.Add(new NoteNewStep(note.Index));
        tx.Node.Store.Save(note);
    }

    internal override void Undo(UndoContext c) => c.Node.Store.DeleteNote(Index);
}
