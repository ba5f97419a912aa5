using System.Runtime.CompilerServices;
using GntCom.State;

namespace GntCom.Journaling;

/// <summary>`note IFINDEX NAME ORIGINAL BACKEND`: a Xen vif's note (brought online without an IP) was used up by its channel.</summary>
public sealed record NoteStep(int Index, string Name, string Original, string Backend) : JournalStep
{
    public override string Verb => "note";

    [ModuleInitializer]
    internal static void Register() => Register("note", r => new NoteStep(r.Index(), r.Name(), r.Name(), r.XenbusPath()));

    protected override void Write(StepWriter w) => w.Index(Index).Name(Name).Name(Original).Text(Backend);

    internal static void Do(Transaction tx, VifNote note)
    {
        tx.Add(new NoteStep(note.Index, note.Name, note.Original, note.Backend));
        tx.Node.Store.DeleteNote(note.Index);
    }

    internal override void Undo(UndoContext c) => c.Node.Store.Save(new VifNote(Index, Name, Original, Backend));
}
