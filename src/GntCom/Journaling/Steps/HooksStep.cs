using System.Runtime.CompilerServices;
using GntCom.Hooks;
using GntCom.State;

namespace GntCom.Journaling;

/// <summary>`hooks`: the channel's ifup hooks ran; undone by its ifdown hooks.</summary>
public sealed record HooksStep : JournalStep
{
    public override string Verb => "hooks";

    [ModuleInitializer]
    internal static void Register() => Register("hooks", _ => new HooksStep());

    protected override void Write(StepWriter w)
    {
    }

    /// <summary>Runs the ifup hooks (when there are any), each hook's process group journaled.</summary>
    internal static void Do(Transaction tx, ChannelRecord r)
    {
        var cfg = tx.Node.Cfg;
        if (!ChannelHooks.AnyUp(cfg)) return;
        tx.Add(new HooksStep());
        ChannelHooks.Up(cfg, r, tx.Caller, (pgid, start) => tx.Add(new HookGroupStep(pgid, start)));
    }

    internal override void Undo(UndoContext c)
    {
        if (c.Header is ChannelHeader channel) ChannelHooks.Down(c.Node.Cfg, channel.ToRecord(), c.Caller);
    }
}
