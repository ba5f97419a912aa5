using System.Collections.Generic;
using GntCom.Journaling;
using GntCom.Net;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>The link up; at teardown down again, as the hypervisor made it.</summary>
internal sealed class LinkUpPart : ChannelPart
{
    public override bool Repairable => true;

    public override void Configure(SetUp s) => s.Link = LinkUpStep.Do(s.Tx, s.Link);

    public override void Remove(TearDown t)
    {
        if (t.Link is { IsUp: true }) NetlinkHandle.IgnoreNotFound(() => t.Node.Nl.LinkSetDown(t.Record.Index));
    }

    public override void Check(CheckView v, ChannelRecord r, List<string> problems)
    {
        if (v.Links.TryGetValue(r.Index, out var l) && !l.IsUp) problems.Add(r.Name + ": link is down");
    }
}
