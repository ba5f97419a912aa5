using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using GntCom.Config;
using GntCom.Inputs;

namespace GntCom.State;

/// <summary>
/// A channel about to arrive on this node by a live migration (STATE/expected/MAC): Ganeti's
/// instance-migrate pre hook on the target (`gnt-com ganeti hook`) says which instance is
/// coming and what its communication NIC carries. Xen's libxl brings the migrated domain's
/// vif online there with Ganeti's vif spec (vifname, MAC, no ip=) and Ganeti runs no
/// xen-ifup-os on a migration target, so this is the only place the guest's IP is known.
/// The interface appears at the migration's start (libxl creates the domain and its vifs,
/// qemu -incoming its tap, before any memory is sent), so an expectation is good for
/// <see cref="Lifetime"/> at most; it is used once, and the post hook drops what a
/// migration did not use (one that failed leaves it to expire).
/// </summary>
public sealed record ExpectedChannel(string Mac, IPAddress Ip, string? Instance, int Nic, long Since, long WallClock)
{
    /// <summary>The wall clock in seconds (files' times are on it), for <see cref="WallClock"/>.</summary>
    public static long WallNow => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    /// <summary>The file's name: the guest's MAC.</summary>
    public string FileName => Mac;

    public bool IsExpired(long now) => now < Since || now - Since > (long)Lifetime.TotalSeconds;

    public string Serialize() => KeyValueText.Format(
        ("mac", Mac), ("ip", Ip.ToString()), ("instance", Instance),
        ("nic", Nic.ToString(CultureInfo.InvariantCulture)), ("since", Since.ToString(CultureInfo.InvariantCulture)),
        ("wall", WallClock.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Parses an expectation file, every field checked as outside input.</summary>
    public static ExpectedChannel Parse(string fileName, string text, GntComConfig cfg)
    {
        var m = KeyValueText.Parse(text);
        string mac = MacAddress.Parse(m.GetValueOrDefault("mac"), "expected channel mac");
        if (mac != fileName) throw new InvalidInputException("expected channel " + Quote.Value(fileName) + " names " + Quote.Value(mac));
        if (!int.TryParse(m.GetValueOrDefault("nic"), NumberStyles.None, CultureInfo.InvariantCulture, out int nic) || nic > 64)
            throw new InvalidInputException("expected channel " + Quote.Value(fileName) + " has a bad nic");
        if (!long.TryParse(m.GetValueOrDefault("since"), NumberStyles.None, CultureInfo.InvariantCulture, out long since))
            throw new InvalidInputException("expected channel " + Quote.Value(fileName) + " has a bad time");
        if (!long.TryParse(m.GetValueOrDefault("wall"), NumberStyles.None, CultureInfo.InvariantCulture, out long wall))
            throw new InvalidInputException("expected channel " + Quote.Value(fileName) + " has a bad wall clock");
        return new ExpectedChannel(mac, cfg.GuestIp(m.GetValueOrDefault("ip") ?? "", "expected channel ip"),
            Names.Instance(m.GetValueOrDefault("instance"), "expected channel instance"), nic, since, wall);
    }
}
