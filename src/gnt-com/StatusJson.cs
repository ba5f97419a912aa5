using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace GntCom.Admin;

// The JSON documents of `gnt-com status --json` and `gnt-com check --json`. Field names are
// part of the interface (documented in gnt-com(8)): add fields, never rename or remove them.

internal sealed record StatusJson(
    string Version,
    string StateDir,
    string Config,
    LockJson? LockHolder,
    List<ChannelJson> Channels,
    List<ReservationJson> Reservations,
    DhcpJson Dhcp,
    List<string> Problems,
    List<ExpectedJson> Expected);

internal sealed record LockJson(int Pid, string Command);

internal sealed record ChannelJson(string Name, string Original, string Kind, string Ip, string Mac, string? Instance, int Ifindex, string State);

internal sealed record ReservationJson(string Name, string Ip, string Mac, string? Instance);

internal sealed record ExpectedJson(string Mac, string Ip, string? Instance, long SecondsLeft);

internal sealed record DhcpJson(string Provider, string? Mode, int? Pid, int Leases, string HostsFile, string? Error, List<RivalJson> Rivals);

internal sealed record RivalJson(int Pid, string Command, string Where, bool Answers);

internal sealed record CheckJson(bool Ok, List<string> Problems);

/// <summary>System.Text.Json's source generator: serialisation code made at build time (no reflection; AOT-safe).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusJson))]
[JsonSerializable(typeof(CheckJson))]
internal sealed partial class JsonContext : JsonSerializerContext
{
}
