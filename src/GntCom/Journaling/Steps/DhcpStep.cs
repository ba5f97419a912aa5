using System.Net;
using System.Runtime.CompilerServices;
using GntCom.State;

namespace GntCom.Journaling;

/// <summary>`dhcp MAC IP NAME`: the guest's static lease was added to DHCP's hosts file.</summary>
public sealed record DhcpStep(string Mac, IPAddress Ip, string Name) : JournalStep
{
    public override string Verb => "dhcp";

    [ModuleInitializer]
    internal static void Register() => Register("dhcp", r => new DhcpStep(r.Mac(), r.Ipv4(), r.Name()));

    protected override void Write(StepWriter w) => w.Text(Mac).Ip(Ip).Name(Name);

    /// <summary>Adds the channel's lease (and starts or reloads dnsmasq); what DHCP throws is the caller's to judge.</summary>
    internal static void Do(Transaction tx, ChannelRecord r)
    {
        tx.Add(new DhcpStep(r.Mac, r.Ip, r.Name));
        tx.Node.Dhcp.Add(r);
    }

    internal override void Undo(UndoContext c) =>
        c.Node.Dhcp.Remove(new ChannelRecord { Name = Name, Original = Name, Index = 1, Ip = Ip, Mac = Mac });
}
