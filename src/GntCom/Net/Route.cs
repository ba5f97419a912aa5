using System.Globalization;
using System.Net;

namespace GntCom.Net;

/// <summary>rtm_type: what a route does with a packet.</summary>
public enum RouteType : byte { Unspec = 0, Unicast = 1, Local = 2, Broadcast = 3, Anycast = 4, Multicast = 5, Blackhole = 6, Unreachable = 7, Prohibit = 8 }

/// <summary>rtm_scope: how far the destination is.</summary>
public enum RouteScope : byte { Universe = 0, Site = 200, Link = 253, Host = 254, Nowhere = 255 }

/// <summary>rtm_protocol: who installed the route.</summary>
public enum RouteProtocol : byte { Unspec = 0, Redirect = 1, Kernel = 2, Boot = 3, Static = 4 }

/// <summary>
/// A route (ip route). Only the fields GntCom installs or compares are kept:
/// destination/prefix, output device, gateway, preferred source, metric, table,
/// protocol, scope and type.
/// </summary>
public sealed record Route
{
    public const uint MainTable = 254;

    public required IPAddress Destination { get; init; }
    public required int PrefixLength { get; init; }
    public int? OutputIndex { get; init; }
    public IPAddress? Gateway { get; init; }
    public IPAddress? PreferredSource { get; init; }
    public uint? Metric { get; init; }
    public uint Table { get; init; } = MainTable;
    public RouteProtocol Protocol { get; init; } = RouteProtocol.Static;
    public RouteScope Scope { get; init; } = RouteScope.Link;
    public RouteType Type { get; init; } = RouteType.Unicast;

    /// <summary>"169.254.1.2/32 dev #7 table 254", for messages.</summary>
    public string Describe(string? device = null)
    {
        string s = (Type is RouteType.Unicast ? "" : Type.ToString().ToLowerInvariant() + " ") + Destination + "/" + PrefixLength;
        if (Gateway != null) s += " via " + Gateway;
        if (device != null) s += " dev " + device;
        else if (OutputIndex != null) s += " dev #" + OutputIndex;
        if (PreferredSource != null) s += " src " + PreferredSource;
        if (Metric != null) s += " metric " + Metric;
        if (Table != MainTable) s += " table " + Table.ToString(CultureInfo.InvariantCulture);
        return s;
    }
}
