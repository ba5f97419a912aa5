using GntCom.Journaling;

namespace GntCom.Channel;

/// <summary>
/// The channel's record (STATE/ifaces/NAME) and its origin (the hypervisor's name, for the
/// down call that uses it): written last, when everything is in place, with the reservation
/// or Xen vif note it uses up; at teardown forgotten last (a killed teardown is finished
/// from the record), with the claims (<see cref="ConfiguredChannel.Forget"/>).
/// </summary>
internal sealed class RecordPart : ChannelPart
{
    public override bool OfGuest => true;

    public override void Configure(SetUp s)
    {
        var r = s.Record;
        RecordStep.Do(s.Tx, r);
        OriginStep.Do(s.Tx, r.Original, r.Owner, r.Name);
        if (s.Reservation != null) ReservationStep.Do(s.Tx, s.Reservation);
        if (s.Note != null) NoteStep.Do(s.Tx, s.Note);
    }

    public override void Remove(TearDown t) => ConfiguredChannel.Forget(t.Node, t.Record);
}
