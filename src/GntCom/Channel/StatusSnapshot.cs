using System.Collections.Generic;
using GntCom.Config;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>What `gnt-com status` shows: channels with their live state, reservations, DHCP.</summary>
public sealed record StatusSnapshot(
    string StateDir,
    string ConfigSource,
    int LockHolder,
    List<(ChannelRecord Record, string State)> Channels,
    List<Reservation> Reservations,
    List<string> Unreadable,
    DhcpProvider Dhcp,
    string? DhcpMode,
    int DnsmasqPid,
    string HostsFile);
