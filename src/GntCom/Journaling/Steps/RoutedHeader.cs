using System.Runtime.CompilerServices;

namespace GntCom.Journaling;

/// <summary>`routed IFINDEX NAME`: heads the journal of a vif set up without a channel (a routed vif, or a vif that only comes up).</summary>
public sealed record RoutedHeader(int Index, string Name) : JournalHeader
{
    public override string Verb => "routed";

    [ModuleInitializer]
    internal static void Register() => Register("routed", r => new RoutedHeader(r.Index(), r.Name()));

    protected override void Write(StepWriter w) => w.Index(Index).Name(Name);

    public override string Describe() => "routed vif " + Name;
}
