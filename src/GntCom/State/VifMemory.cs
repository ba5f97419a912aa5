using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using GntCom.Config;
using GntCom.Inputs;

namespace GntCom.State;

/// <summary>
/// What a Xen channel vif carried when its channel ended (STATE/recent/NAME, NAME the
/// vifname): libxl restarts a rebooting or crashed domain (on_reboot/on_crash = 'restart',
/// as Ganeti writes them) with a new domid and the same vif spec, so the new vif comes
/// online under the same vifname, with the same MAC and, in Ganeti's form, no ip=; and
/// Ganeti runs no xen-ifup-os then. vif-gnt-com gives such a vif this channel back. A
/// memory lasts <see cref="Lifetime"/> (libxl's restart follows the old domain's offline
/// within seconds, minutes at most under emulation), is used once, and is keyed by vifname
/// and checked against the MAC, so another guest's vif never gets it.
/// </summary>
public sealed record VifMemory(string Name, IPAddress Ip, string Mac, string? Instance, long EndedAt)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>Seconds on the host's monotonic clock (the state lives in /run: one boot).</summary>
    public static long Now => Environment.TickCount64 / 1000;

    public bool IsExpired(long now) => now < EndedAt || now - EndedAt > (long)Lifetime.TotalSeconds;

    public string Serialize() => KeyValueText.Format(
        ("name", Name), ("ip", Ip.ToString()), ("mac", Mac), ("instance", Instance),
        ("ended", EndedAt.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Parses a memory file, every field checked as outside input.</summary>
    public static VifMemory Parse(string fileName, string text, GntComConfig cfg)
    {
        var m = KeyValueText.Parse(text);
        string name = Names.Interface(m.GetValueOrDefault("name"), "vif memory name");
        if (name != fileName || !cfg.IsChannelName(name))
            throw new InvalidInputException("vif memory " + Quote.Value(fileName) + " names " + Quote.Value(name));
        if (!long.TryParse(m.GetValueOrDefault("ended"), NumberStyles.None, CultureInfo.InvariantCulture, out long ended))
            throw new InvalidInputException("vif memory " + Quote.Value(fileName) + " has a bad time");
        return new VifMemory(name, Ipv4.Parse(m.GetValueOrDefault("ip"), "vif memory ip"),
            MacAddress.Parse(m.GetValueOrDefault("mac"), "vif memory mac"),
            Names.Instance(m.GetValueOrDefault("instance"), "vif memory instance"), ended);
    }
}
