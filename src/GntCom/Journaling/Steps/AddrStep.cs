using System.Net;
using System.Runtime.CompilerServices;
using GntCom.Net;

namespace GntCom.Journaling;

/// <summary>`addr IFINDEX ADDRESS PREFIXLEN`: ip addr add ADDRESS/PREFIXLEN dev LINK.</summary>
public sealed record AddrStep(int Index, IPAddress Address, int PrefixLength) : JournalStep
{
    public override string Verb => "addr";

    [ModuleInitializer]
    internal static void Register() => Register("addr", r => new AddrStep(r.Index(), r.Ip(), r.Positive("prefix length")));

    protected override void Write(StepWriter w) => w.Index(Index).Ip(Address).Index(PrefixLength);

    /// <summary>Adds the address unless the link has it already.</summary>
    internal static void Do(Transaction tx, Link link, IPAddress address, int prefixLength, uint flags = 0)
    {
        var nl = tx.Node.Nl;
        foreach (var a in nl.AddrList(address.AddressFamily, link.Index))
            if (a.Address.Equals(address) && a.PrefixLength == prefixLength) return;
        tx.Add(new AddrStep(link.Index, address, prefixLength));
        nl.AddrAdd(link.Index, address, prefixLength, flags);
    }

    internal override void Undo(UndoContext c) => NetlinkHandle.IgnoreNotFound(() => c.Node.Nl.AddrDel(Index, Address, PrefixLength));
}
