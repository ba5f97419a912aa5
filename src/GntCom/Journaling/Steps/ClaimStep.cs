using System.Runtime.CompilerServices;
using GntCom.State;

namespace GntCom.Journaling;

/// <summary>`claim ip|mac VALUE OWNER`: OWNER took a guest IP or MAC (STATE/ips, STATE/macs).</summary>
public sealed record ClaimStep(ClaimKind Kind, string Value, string Owner) : JournalStep
{
    public override string Verb => "claim";

    [ModuleInitializer]
    internal static void Register() =>
        Register("claim", r => new ClaimStep(r.Word("ip", "mac") == "ip" ? ClaimKind.Ip : ClaimKind.Mac, r.IpOrMac(), r.Name()));

    protected override void Write(StepWriter w) => w.Text(Kind == ClaimKind.Ip ? "ip" : "mac").Text(Value).Name(Owner);

    /// <summary>Claims <paramref name="value"/> for <paramref name="owner"/> (nothing when it holds it already).</summary>
    internal static void Do(Transaction tx, ClaimKind kind, string value, string owner)
    {
        if (tx.Node.Store.ClaimOwner(kind, value) == owner) return;
        tx.Add(new ClaimStep(kind, value, owner));
        tx.Node.Store.Claim(kind, value, owner);
    }

    internal override void Undo(UndoContext c) => c.Node.Store.Unclaim(Kind, Value, Owner);
}
