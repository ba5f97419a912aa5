using System.Runtime.CompilerServices;

namespace GntCom.Journaling;

/// <summary>
/// `teardown NAME`: heads the journal of a channel's teardown. A teardown is never reverted:
/// healing finishes it (the channel's record says what is left to remove).
/// </summary>
public sealed record TeardownHeader(string Name) : JournalHeader
{
    public override string Verb => "teardown";

    [ModuleInitializer]
    internal static void Register() => Register("teardown", r => new TeardownHeader(r.Name()));

    protected override void Write(StepWriter w) => w.Name(Name);

    public override string Describe() => "the teardown of " + Name;
}
