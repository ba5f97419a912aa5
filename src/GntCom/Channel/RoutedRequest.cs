using System.Collections.Generic;
using System.Net;

namespace GntCom.Channel;

/// <summary>What vif-gnt-com as a drop-in for Xen's vif-route is asked to do with a (non-channel) vif.</summary>
public sealed class RoutedRequest
{
    /// <summary>The vif as libxl names it ($vif, or $INTERFACE for an emulated NIC).</summary>
    public required string Interface { get; init; }
    /// <summary>The store's vifname (with -emu for an emulated NIC), when there is one.</summary>
    public string? DesiredName { get; init; }
    /// <summary>dom0's routing interface (netdev / gatewaydev; default eth0).</summary>
    public required string Netdev { get; init; }
    /// <summary>The guest's addresses or networks (the store's ip).</summary>
    public required List<(IPAddress Address, int PrefixLength)> Addresses { get; init; }
    /// <summary>1 for an emulated tap, 2 for a PV vif, as vif-route.</summary>
    public required uint Metric { get; init; }
}
