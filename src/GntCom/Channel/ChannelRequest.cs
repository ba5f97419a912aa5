using System.Collections.Generic;
using System.Net;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>What a hypervisor call asks for: make <see cref="Interface"/> a channel interface.</summary>
public sealed class ChannelRequest
{
    /// <summary>The interface as the hypervisor named it (tap0, vif5.0, gnt.com.3).</summary>
    public required string Interface { get; init; }
    /// <summary>The guest's IP; null to take it from a reservation.</summary>
    public IPAddress? Ip { get; init; }
    /// <summary>The guest's MAC (normalised); null to take it from a reservation.</summary>
    public string? Mac { get; init; }
    public string? Instance { get; init; }
    /// <summary>A name the interface must get (Xen's vifname); null to keep a channel name or allocate one.</summary>
    public string? DesiredName { get; init; }
    /// <summary>When another interface holds <see cref="DesiredName"/>, the next free name instead (a restarted or migrated Xen domain's vif).</summary>
    public bool FallBackName { get; init; }
    public ChannelKind Kind { get; init; } = ChannelKind.Tap;
    /// <summary>The caller's parent (qemu for script=), recorded to match its down call.</summary>
    public int Owner { get; init; }
    /// <summary>A Xen vif's backend path in xenstore.</summary>
    public string? Backend { get; init; }
    /// <summary>The channel a restarted Xen domain's vif gets back from memory (Ganeti's xen-ifup-os may re-address it).</summary>
    public bool Restored { get; init; }
    /// <summary>Set up ahead of its guest (a live migration's target): no guest to tell where the channel is yet.</summary>
    public bool Prepared { get; init; }
    /// <summary>Extra variables handed to the hooks (Ganeti's TAGS, NETWORK_*... are inherited anyway).</summary>
    public IReadOnlyDictionary<string, string>? HookEnvironment { get; init; }
}
