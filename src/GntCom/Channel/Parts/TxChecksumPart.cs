using GntCom.Journaling;

namespace GntCom.Channel;

/// <summary>tx checksum offload off: a Xen guest drops the host's UDP replies (DHCP among them) that carry no checksum.</summary>
internal sealed class TxChecksumPart : ChannelPart
{
    public override bool Repairable => true;

    public override void Configure(SetUp s) => TxChecksumStep.Do(s.Tx, s.Link);
}
