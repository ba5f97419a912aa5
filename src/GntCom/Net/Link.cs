using System;

namespace GntCom.Net;

/// <summary>A network interface as rtnetlink reports it.</summary>
public sealed record Link(int Index, string Name, uint Flags, string? Mac, int Mtu, string? Kind)
{
    public bool IsUp => (Flags & Netlink.Rtm.IFF_UP) != 0;
    public bool HasCarrier => (Flags & Netlink.Rtm.IFF_LOWER_UP) != 0;
}

/// <summary>An interface address (ip addr).</summary>
public sealed record Addr(int Index, System.Net.IPAddress Address, int PrefixLength, byte Scope, uint Flags)
{
    public override string ToString() => Address + "/" + PrefixLength;
}

/// <summary>
/// A route (ip route). Only the fields GntCom installs or compares are kept:
/// destination/prefix, output device, gateway, preferred source, metric, table,
/// protocol, scope and type.
/// </summary>
public sealed record Route
{
    public required System.Net.IPAddress Destination { get; init; }
    public required int PrefixLength { get; init; }
    public int? OutputIndex { get; init; }
    public System.Net.IPAddress? Gateway { get; init; }
    public System.Net.IPAddress? PreferredSource { get; init; }
    public uint? Metric { get; init; }
    public uint Table { get; init; } = Netlink.Rtm.RT_TABLE_MAIN;
    public byte Protocol { get; init; } = Netlink.Rtm.RTPROT_STATIC;
    public byte Scope { get; init; } = Netlink.Rtm.RT_SCOPE_LINK;
    public byte Type { get; init; } = Netlink.Rtm.RTN_UNICAST;

    /// <summary>"169.254.1.2/32 dev #7 table 254", for messages.</summary>
    public string Describe(string? device = null)
    {
        string s = Destination + "/" + PrefixLength;
        if (Gateway != null) s += " via " + Gateway;
        if (device != null) s += " dev " + device;
        else if (OutputIndex != null) s += " dev #" + OutputIndex;
        if (PreferredSource != null) s += " src " + PreferredSource;
        if (Metric != null) s += " metric " + Metric;
        if (Table != Netlink.Rtm.RT_TABLE_MAIN) s += " table " + Table;
        return s;
    }

    public static string ProtocolName(byte protocol) => protocol switch
    {
        Netlink.Rtm.RTPROT_KERNEL => "kernel",
        Netlink.Rtm.RTPROT_BOOT => "boot",
        Netlink.Rtm.RTPROT_STATIC => "static",
        _ => protocol.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>A policy routing rule "iif NAME lookup TABLE" (ip rule), the only kind GntCom installs.</summary>
public sealed record Rule(System.Net.Sockets.AddressFamily Family, uint Priority, string? InputInterface, uint Table)
{
    public override string ToString() =>
        (Family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "-6 " : "") + "pref " + Priority
        + (InputInterface != null ? " iif " + InputInterface : "") + " lookup " + Table;
}
