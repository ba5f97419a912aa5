using GntCom.Journaling;

namespace GntCom.Channel;

/// <summary>
/// The four policy rules every channel shares (<see cref="Isolation"/>): installed with the
/// first channel, removed with the last. `gnt-com check` looks at them once for the node.
/// </summary>
internal sealed class IsolationPart : ChannelPart
{
    public override bool Repairable => true;

    public override void Configure(SetUp s) => IsolationStep.Do(s.Tx);

    public override void Remove(TearDown t)
    {
        if (!t.OthersRemain) Isolation.Remove(t.Node.Nl, t.Node.Cfg.Network);
    }
}
