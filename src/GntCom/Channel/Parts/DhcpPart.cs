using GntCom.Journaling;
using GntCom.Logging;

namespace GntCom.Channel;

/// <summary>
/// The guest's static lease `MAC,IP` in DHCP's hosts file (dnsmasq started with the first,
/// reloaded, stopped with the last). A DHCP failure is fatal only with dhcp_required = yes:
/// a metadata hiccup must not stop a production VM.
/// </summary>
internal sealed class DhcpPart : ChannelPart
{
    public override bool OfGuest => true;

    public override void Configure(SetUp s)
    {
        var n = s.Node;
        try
        {
            DhcpStep.Do(s.Tx, s.Record);
        }
        catch (GntComException e) when (!n.Cfg.DhcpRequired)
        {
            n.Dhcp.RecordError(e.Message);
            Log.Error("DHCP for " + s.Record.Name + " failed, the channel is up without it: " + e.Message
                + " ('gnt-com check' reports it; dhcp_required = yes makes this fatal)");
        }
    }

    public override void Remove(TearDown t)
    {
        try
        {
            t.Node.Dhcp.Remove(t.Record, last: !t.OthersRemain);
        }
        catch (GntComException e)
        {
            t.Unrecorded.Add("its DHCP entry's removal (" + e.Message + ")");
        }
    }
}
