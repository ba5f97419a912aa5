using System.Runtime.CompilerServices;
using GntCom.Net;
using GntCom.Netlink;

namespace GntCom.Journaling;

/// <summary>`rename IFINDEX OLD NEW WASUP`: ip link set dev OLD down; ip link set dev OLD name NEW.</summary>
public sealed record RenameStep(int Index, string Old, string New, bool WasUp) : JournalStep
{
    public override string Verb => "rename";

    [ModuleInitializer]
    internal static void Register() => Register("rename", r => new RenameStep(r.Index(), r.Name(), r.Name(), r.Flag()));

    protected override void Write(StepWriter w) => w.Index(Index).Name(Old).Name(New).Flag(WasUp);

    /// <summary>Renames the link (down meanwhile: <see cref="LinkUpStep"/> brings it up later); the renamed link.</summary>
    internal static Link Do(Transaction tx, Link link, string name)
    {
        if (link.Name == name) return link;
        var nl = tx.Node.Nl;
        if (nl.LinkByName(name) != null)
            throw new GntComException("cannot rename " + link.Name + " to " + name + ": another interface already has that name");
        tx.Add(new RenameStep(link.Index, link.Name, name, link.IsUp));
        if (link.IsUp) nl.LinkSetDown(link.Index);
        try
        {
            nl.LinkSetName(link.Index, name);
        }
        catch (NetlinkException e)
        {
            throw new GntComException("cannot rename " + link.Name + " to " + name + ": " + Interop.Errno.Describe(e.Errno));
        }
        return link.WithUp(false) with { Name = name };
    }

    /// <summary>The link gets its old name (when nobody took it meanwhile) and its old up/down state.</summary>
    internal override void Undo(UndoContext c)
    {
        var nl = c.Node.Nl;
        var link = nl.LinkByIndex(Index);
        if (link == null) return;
        if (link.Name == New && nl.LinkByName(Old) == null)
        {
            if (link.IsUp) nl.LinkSetDown(Index);
            nl.LinkSetName(Index, Old);
            link = link.WithUp(false);
        }
        if (WasUp && !link.IsUp) nl.LinkSetUp(Index);
        if (!WasUp && link.IsUp) nl.LinkSetDown(Index);
    }
}
