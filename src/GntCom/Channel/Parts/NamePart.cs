using GntCom.Journaling;
using GntCom.Logging;
using GntCom.Netlink;

namespace GntCom.Channel;

/// <summary>The channel name gnt.com.N; at teardown the interface gets its hypervisor's name back (once down), when that name is free.</summary>
internal sealed class NamePart : ChannelPart
{
    public override bool Repairable => true;

    public override void Configure(SetUp s) => s.Link = RenameStep.Do(s.Tx, s.Link, s.Record.Name);

    public override void Remove(TearDown t)
    {
        var r = t.Record;
        if (t.Link == null || r.Original == r.Name || t.Node.Nl.LinkByName(r.Original) != null) return;
        try
        {
            t.Node.Nl.LinkSetName(r.Index, r.Original);
        }
        catch (NetlinkException e) when (!e.IsNotFound)
        {
            Log.Warn("could not rename " + r.Name + " back to " + r.Original + ": " + e.Message);
        }
        catch (NetlinkException)
        {
            // gone meanwhile
        }
    }
}
