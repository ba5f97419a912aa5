using GntCom.Hooks;
using GntCom.Journaling;

namespace GntCom.Channel;

/// <summary>
/// The admin's hooks: ifup.d when the channel is in place (a failure undoes the set-up),
/// ifdown.d first thing at teardown (failures logged). Each hook's process group is
/// journaled: if the call is killed, the call that heals it kills what the hook left.
/// </summary>
internal sealed class HooksPart : ChannelPart
{
    public override bool OfGuest => true;

    public override void Configure(SetUp s) => HooksStep.Do(s.Tx, s.Record);

    public override void Remove(TearDown t) =>
        ChannelHooks.Down(t.Node.Cfg, t.Record, t.Caller,
            (pgid, start) => t.Journaled(new HookGroupStep(pgid, start), "a hook's process group"));
}
