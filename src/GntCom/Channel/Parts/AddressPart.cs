using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using GntCom.Journaling;
using GntCom.Net;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>The channel address, 169.254.169.254/32 (address in the config).</summary>
internal sealed class AddressPart : ChannelPart
{
    public override bool Repairable => true;

    public override void Configure(SetUp s) => AddrStep.Do(s.Tx, s.Link, s.Node.Cfg.Address, 32);

    public override void Remove(TearDown t)
    {
        if (t.Link != null) NetlinkHandle.IgnoreNotFound(() => t.Node.Nl.AddrDel(t.Record.Index, t.Node.Cfg.Address, 32));
    }

    public override void Check(CheckView v, ChannelRecord r, List<string> problems)
    {
        if (!v.Addrs.Any(a => a.Index == r.Index && a.Address.Equals(v.Address) && a.PrefixLength == 32))
            problems.Add(r.Name + ": lacks address " + v.Address + "/32");
    }

    /// <summary>Whether <paramref name="link"/> carries the channel address (a channel Ganeti's scripts configured does).</summary>
    public static bool IsOn(Node n, Link link) =>
        n.Nl.AddrList(AddressFamily.InterNetwork, link.Index).Any(a => a.Address.Equals(n.Cfg.Address) && a.PrefixLength == 32);
}
