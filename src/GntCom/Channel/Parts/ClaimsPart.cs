using GntCom.Journaling;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// The guest's IP and MAC, claimed for the channel (STATE/ips, STATE/macs) before anything
/// else, so that no other guest gets them. They are let go with the record
/// (<see cref="ConfiguredChannel.Forget"/>).
/// </summary>
internal sealed class ClaimsPart : ChannelPart
{
    public override bool OfGuest => true;

    public override void Configure(SetUp s)
    {
        ClaimStep.Do(s.Tx, ClaimKind.Ip, s.Record.Ip.ToString(), s.Record.Name);
        ClaimStep.Do(s.Tx, ClaimKind.Mac, s.Record.Mac, s.Record.Name);
    }
}
