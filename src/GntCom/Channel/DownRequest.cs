using System.Collections.Generic;
using System.Net;

namespace GntCom.Channel;

/// <summary>What a down call names: the channel (or the hypervisor's old name), and what the caller believes it carries.</summary>
public sealed class DownRequest
{
    /// <summary>The channel name, or the name the hypervisor gave the interface before it was renamed.</summary>
    public required string Interface { get; init; }
    public int Owner { get; init; }
    /// <summary>The guest IP and MAC the caller means (Ganeti passes them): a channel carrying others is left alone.</summary>
    public IPAddress? Ip { get; init; }
    public string? Mac { get; init; }
    public IReadOnlyDictionary<string, string>? HookEnvironment { get; init; }
}
