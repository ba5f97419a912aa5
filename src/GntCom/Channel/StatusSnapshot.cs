using System.Collections.Generic;
using GntCom.Config;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>A channel interface as `gnt-com status` shows it: its record and what the host says of it.</summary>
public sealed record ChannelStatus(ChannelRecord Record, string State);

/// <summary>The lock holder, for status.</summary>
public sealed record LockHolder(int Pid, string Command);

/// <summary>What `gnt-com status` shows: channels with their live state, reservations, DHCP, problems.</summary>
public sealed record StatusSnapshot(
    string StateDir,
    string ConfigSource,
    LockHolder? Lock,
    List<ChannelStatus> Channels,
    List<Reservation> Reservations,
    List<string> Unreadable,
    DhcpProvider Dhcp,
    string? DhcpMode,
    int DnsmasqPid,
    int Leases,
    string HostsFile,
    string? DhcpError,
    List<Dhcp.RivalServer> Rivals,
    List<string> Problems)
{
    /// <summary>Channels Ganeti's migrate hook said are coming to this node (live migrations in flight, or failed).</summary>
    public List<ExpectedChannel> Expected { get; init; } = new();
}
