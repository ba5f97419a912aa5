using System.Net;
using System.Runtime.CompilerServices;
using GntCom.State;

namespace GntCom.Journaling;

/// <summary>`reservation NAME IP MAC INSTANCE|-`: the reservation was used up by the channel it named.</summary>
public sealed record ReservationStep(string Name, IPAddress Ip, string Mac, string? Instance) : JournalStep
{
    public override string Verb => "reservation";

    [ModuleInitializer]
    internal static void Register() => Register("reservation", r => new ReservationStep(r.Name(), r.Ipv4(), r.Mac(), r.Instance()));

    protected override void Write(StepWriter w) => w.Name(Name).Ip(Ip).Text(Mac).Instance(Instance);

    internal static void Do(Transaction tx, Reservation res)
    {
        tx.Add(new ReservationStep(res.Name, res.Ip, res.Mac, res.Instance));
        tx.Node.Store.DeleteReservation(res.Name);
    }

    internal override void Undo(UndoContext c) => c.Node.Store.Save(new Reservation(Name, Ip, Mac, Instance));
}
