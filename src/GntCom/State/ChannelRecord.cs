using System.Collections.Generic;
using System.Globalization;
using System.Net;
using GntCom.Config;
using GntCom.Inputs;

namespace GntCom.State;

/// <summary>Where a channel interface came from: qemu/Ganeti's tap or Xen's vif.</summary>
public enum ChannelKind { Tap, Vif }

/// <summary>
/// What GntCom knows about one configured channel interface, kept in STATE/ifaces/NAME.
/// It is written last, when everything is in place; an unfinished set-up is described by
/// its journal instead (STATE/journal/), which the next call rolls back.
/// </summary>
public sealed record ChannelRecord
{
    public required string Name { get; init; }
    /// <summary>The name the hypervisor gave the interface (tap0, vif5.0): its down call uses it.</summary>
    public required string Original { get; init; }
    public required int Index { get; init; }
    public required IPAddress Ip { get; init; }
    public required string Mac { get; init; }
    public string? Instance { get; init; }
    public ChannelKind Kind { get; init; } = ChannelKind.Tap;
    /// <summary>The parent process of the up call (qemu for its script=): tells apart two taps of one old name.</summary>
    public int Owner { get; init; }
    /// <summary>The vif's xenstore backend path (backend/vif/D/N), for a Xen vif.</summary>
    public string? Backend { get; init; }
    /// <summary>Written by GntCom before 0.2 for a set-up in progress; such a record is rolled back.</summary>
    public bool Pending { get; init; }
    /// <summary>The IPv6 address given to the interface in bind-interfaces mode.</summary>
    public IPAddress? Ipv6 { get; init; }
    /// <summary>Given back to a restarted or migrated Xen domain's vif (<see cref="VifMemory"/>, <see cref="ExpectedChannel"/>): Ganeti's next xen-ifup-os may re-address it.</summary>
    public bool Restored { get; init; }
    /// <summary>A Xen vif's vifname when another interface held it and the channel got another name (its memory is kept under the vifname).</summary>
    public string? Vifname { get; init; }

    public string KindName => Kind == ChannelKind.Vif ? "vif" : "tap";

    public string Serialize() => KeyValueText.Format(
        ("name", Name), ("original", Original),
        ("ifindex", Index.ToString(CultureInfo.InvariantCulture)),
        ("ip", Ip.ToString()), ("mac", Mac), ("instance", Instance),
        ("kind", KindName),
        ("owner", Owner.ToString(CultureInfo.InvariantCulture)),
        ("backend", Backend),
        ("ipv6", Ipv6?.ToString()),
        ("restored", Restored ? "yes" : null),
        ("vifname", Vifname),
        ("state", Pending ? "pending" : "up"));

    /// <summary>"gnt.com.3 (was tap0) ip=... mac=... instance=...", for log lines.</summary>
    public string Describe() =>
        Name + (Original != Name ? " (was " + Original + ")" : "") + " ip=" + Ip + " mac=" + Mac
        + (Instance != null ? " instance=" + Instance : "");

    /// <summary>Parses a record file, checking every field as if it came from outside.</summary>
    public static ChannelRecord Parse(string fileName, string text, GntComConfig cfg)
    {
        Dictionary<string, string> m = KeyValueText.Parse(text);
        string Get(string k) => m.TryGetValue(k, out var v) ? v
            : throw new InvalidInputException("state record " + Quote.Value(fileName) + " lacks " + k);
        string name = Names.Interface(Get("name"), "state record name");
        if (name != fileName || !cfg.IsChannelName(name))
            throw new InvalidInputException("state record " + Quote.Value(fileName) + " names " + Quote.Value(name));
        if (!int.TryParse(Get("ifindex"), NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index <= 0)
            throw new InvalidInputException("state record " + Quote.Value(fileName) + " has a bad ifindex");
        m.TryGetValue("owner", out string? owner);
        m.TryGetValue("ipv6", out string? ipv6);
        IPAddress? v6 = null;
        if (!string.IsNullOrEmpty(ipv6) && (!IPAddress.TryParse(ipv6, out v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6))
            throw new InvalidInputException("state record " + Quote.Value(fileName) + " has a bad ipv6");
        string? backend = m.GetValueOrDefault("backend");
        if (backend != null && !XenbusPath.IsValid(backend))
            throw new InvalidInputException("state record " + Quote.Value(fileName) + " has a bad backend");
        string? vifname = m.GetValueOrDefault("vifname");
        if (vifname != null && !cfg.IsChannelName(Names.Interface(vifname, "state record vifname")))
            throw new InvalidInputException("state record " + Quote.Value(fileName) + " has a bad vifname");
        string kind = m.GetValueOrDefault("kind") ?? "tap";
        if (kind is not ("tap" or "vif"))
            throw new InvalidInputException("state record " + Quote.Value(fileName) + " has a bad kind");
        return new ChannelRecord
        {
            Name = name,
            Original = Names.Interface(Get("original"), "state record original"),
            Index = index,
            // Only the form is checked: a record written before a change of `network` in the
            // config must still be read, to be torn down.
            Ip = Ipv4.Parse(Get("ip"), "state record ip"),
            Mac = MacAddress.Parse(Get("mac"), "state record mac"),
            Instance = Names.Instance(m.GetValueOrDefault("instance"), "state record instance"),
            Kind = kind == "vif" ? ChannelKind.Vif : ChannelKind.Tap,
            Owner = int.TryParse(owner, NumberStyles.None, CultureInfo.InvariantCulture, out int o) ? o : 0,
            Backend = backend,
            Pending = Get("state") != "up",
            Ipv6 = v6,
            Restored = m.GetValueOrDefault("restored") == "yes",
            Vifname = vifname,
        };
    }
}
