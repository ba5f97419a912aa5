using System.Net;
using System.Runtime.CompilerServices;
using GntCom.State;

namespace GntCom.Journaling;

/// <summary>
/// `channel NAME IFINDEX ORIGINAL IP MAC KIND INSTANCE|-`: heads the journal of a channel's
/// set-up with what the channel is (its ifdown hooks need it when the set-up is reverted).
/// </summary>
public sealed record ChannelHeader(string Name, int Index, string Original, IPAddress Ip, string Mac, ChannelKind Kind, string? Instance)
    : JournalHeader
{
    public override string Verb => "channel";

    [ModuleInitializer]
    internal static void Register() => Register("channel", r => new ChannelHeader(r.Name(), r.Index(), r.Name(), r.Ipv4(), r.Mac(),
        r.Word("tap", "vif") == "vif" ? ChannelKind.Vif : ChannelKind.Tap, r.Instance()));

    protected override void Write(StepWriter w) =>
        w.Name(Name).Index(Index).Name(Original).Ip(Ip).Text(Mac).Text(Kind == ChannelKind.Vif ? "vif" : "tap").Instance(Instance);

    public static ChannelHeader Of(ChannelRecord r) => new(r.Name, r.Index, r.Original, r.Ip, r.Mac, r.Kind, r.Instance);

    /// <summary>The record this header describes (for the ifdown hooks' environment and status).</summary>
    public ChannelRecord ToRecord() => new()
    {
        Name = Name, Index = Index, Original = Original, Ip = Ip, Mac = Mac, Kind = Kind, Instance = Instance,
    };

    public override string Describe() => ToRecord().Describe();
}
