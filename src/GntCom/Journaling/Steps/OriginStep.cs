using System.Runtime.CompilerServices;

namespace GntCom.Journaling;

/// <summary>`origin ORIGINAL OWNER NAME`: the hypervisor's name ORIGINAL became channel NAME for caller OWNER (0: none).</summary>
public sealed record OriginStep(string Original, int Owner, string Name) : JournalStep
{
    public override string Verb => "origin";

    [ModuleInitializer]
    internal static void Register() => Register("origin", r => new OriginStep(r.Name(), r.Owner(), r.Name()));

    protected override void Write(StepWriter w) => w.Name(Original).Owner(Owner).Name(Name);

    internal static void Do(Transaction tx, string original, int owner, string name)
    {
        tx.Add(new OriginStep(original, owner, name));
        tx.Node.Store.SaveOrigin(original, owner, name);
    }

    internal override void Undo(UndoContext c) => c.Node.Store.DeleteOrigin(Original, Owner);
}
