using System.Runtime.CompilerServices;
using GntCom.Channel;

namespace GntCom.Journaling;

/// <summary>`isolation6 NAME`: the interface's own IPv6 rule (bind-interfaces mode), `-6 iif NAME prohibit`.</summary>
public sealed record Isolation6Step(string Name) : JournalStep
{
    public override string Verb => "isolation6";

    [ModuleInitializer]
    internal static void Register() => Register("isolation6", r => new Isolation6Step(r.Name()));

    protected override void Write(StepWriter w) => w.Name(Name);

    internal static void Do(Transaction tx, string name)
    {
        tx.Add(new Isolation6Step(name));
        Isolation.AddIpv6Rule(tx.Node.Nl, name);
    }

    internal override void Undo(UndoContext c) => Isolation.RemoveIpv6Rule(c.Node.Nl, Name);
}
