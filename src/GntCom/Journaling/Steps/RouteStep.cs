using System.Collections.Generic;
using System.Net;
using System.Runtime.CompilerServices;
using GntCom.Net;
using GntCom.Netlink;

namespace GntCom.Journaling;

/// <summary>`route DESTINATION PREFIXLEN IFINDEX METRIC`: ip route add DESTINATION/PREFIXLEN dev LINK [metric METRIC] (0: none).</summary>
public sealed record RouteStep(IPAddress Destination, int PrefixLength, int Index, uint Metric) : JournalStep
{
    public override string Verb => "route";

    [ModuleInitializer]
    internal static void Register() =>
        Register("route", r => new RouteStep(r.Ip(), r.Positive("prefix length"), r.Index(), (uint)r.ULong()));

    protected override void Write(StepWriter w) => w.Ip(Destination).Index(PrefixLength).Index(Index).ULong(Metric);

    /// <summary>
    /// Adds <paramref name="route"/> unless <paramref name="present"/> (the device's routes,
    /// read before) has it already. A route to the same destination via another device is
    /// an error naming that device.
    /// </summary>
    internal static void Do(Transaction tx, Route route, string device, IReadOnlyList<Route> present)
    {
        foreach (var r in present)
            if (r.Destination.Equals(route.Destination) && r.PrefixLength == route.PrefixLength && r.Metric == route.Metric
                && r.OutputIndex == route.OutputIndex)
                return;
        tx.Add(new RouteStep(route.Destination, route.PrefixLength, route.OutputIndex!.Value, route.Metric ?? 0));
        try
        {
            tx.Node.Nl.RouteAdd(route);
        }
        catch (NetlinkException e) when (e.IsExists)
        {
            throw new GntComException("cannot route " + route.Destination + "/" + route.PrefixLength + " to " + device
                + ": a route to it already exists via another interface" + OtherDevice(tx.Node.Nl, route));
        }
    }

    private static string OtherDevice(NetlinkHandle nl, Route route)
    {
        foreach (var r in nl.RouteList(route.Destination.AddressFamily, Route.MainTable))
            if (r.Destination.Equals(route.Destination) && r.PrefixLength == route.PrefixLength && r.OutputIndex is int oif)
                return " (" + (nl.LinkByIndex(oif)?.Name ?? "#" + oif) + ")";
        return "";
    }

    internal override void Undo(UndoContext c)
    {
        var route = new Route
        {
            Destination = Destination, PrefixLength = PrefixLength, OutputIndex = Index, Metric = Metric == 0 ? null : Metric,
        };
        NetlinkHandle.IgnoreNotFound(() => c.Node.Nl.RouteDel(route));
    }
}
