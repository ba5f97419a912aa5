using GntCom.Netlink;

namespace GntCom.Net;

/// <summary>A tun device's mode (IFLA_TUN_TYPE).</summary>
public enum TunMode : byte { Unknown = 0, Tun = 1, Tap = 2 }

/// <summary>
/// A network interface as rtnetlink reports it: what GntCom needs to name, address and
/// route it, and to tell what kind of interface it is before it may become a channel.
/// </summary>
public sealed record Link(int Index, string Name, uint Flags)
{
    public string? Mac { get; init; }
    public int Mtu { get; init; }
    /// <summary>The rtnetlink kind (IFLA_INFO_KIND: tun, veth, bridge, dummy...); null for drivers without one (physical NICs, Xen's netback vifs).</summary>
    public string? Kind { get; init; }
    /// <summary>For a tun device: tap (layer 2) or tun (layer 3).</summary>
    public TunMode TunMode { get; init; }
    /// <summary>The ifindex of the bridge or bond this interface is a port of.</summary>
    public int? Master { get; init; }
    /// <summary>Set when the interface's peer (a veth's other end) lives in another network namespace.</summary>
    public int? LinkNetnsId { get; init; }

    public bool IsUp => (Flags & Rtm.IFF_UP) != 0;
    public bool HasCarrier => (Flags & Rtm.IFF_LOWER_UP) != 0;
    public bool IsLoopback => (Flags & Rtm.IFF_LOOPBACK) != 0;

    /// <summary>This link as it is after `ip link set up/down`.</summary>
    public Link WithUp(bool up) => this with { Flags = up ? Flags | Rtm.IFF_UP : Flags & ~Rtm.IFF_UP };
}
