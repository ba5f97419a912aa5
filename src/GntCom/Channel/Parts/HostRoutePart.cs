using System.Collections.Generic;
using System.Linq;
using System.Net;
using GntCom.Journaling;
using GntCom.Net;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// The host route `IP/32 dev gnt.com.N proto static scope link`: the host reaches its guest
/// through this interface only (every channel interface carries the same address), which
/// is also what keeps a guest from receiving another guest's replies.
/// </summary>
internal sealed class HostRoutePart : ChannelPart
{
    public override bool Repairable => true;

    public override bool OfGuest => true;

    public static Route Of(IPAddress ip, int index) => new()
    {
        Destination = ip, PrefixLength = 32, OutputIndex = index,
        Protocol = RouteProtocol.Static, Scope = RouteScope.Link, Table = Route.MainTable,
    };

    public override void Configure(SetUp s) => RouteStep.Do(s.Tx, Of(s.Record.Ip, s.Link.Index), s.Link.Name, s.RoutesOnLink);

    public override void Remove(TearDown t)
    {
        if (t.Link != null) NetlinkHandle.IgnoreNotFound(() => t.Node.Nl.RouteDel(Of(t.Record.Ip, t.Record.Index)));
    }

    public override void Check(CheckView v, ChannelRecord r, List<string> problems)
    {
        if (!v.Routes.Any(rt => rt.PrefixLength == 32 && rt.Destination.Equals(r.Ip) && rt.OutputIndex == r.Index))
            problems.Add(r.Name + ": no route " + r.Ip + "/32 via it");
    }
}
