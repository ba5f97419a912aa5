using System.Collections.Generic;
using System.Globalization;
using System.Net;
using GntCom.Config;
using GntCom.Inputs;

namespace GntCom.State;

/// <summary>A name reserved by `gnt-com allocate` for a guest that is about to start (STATE/reservations/NAME).</summary>
public sealed record Reservation(string Name, IPAddress Ip, string Mac, string? Instance)
{
    public string Serialize() => KeyValueText.Format(
        ("name", Name), ("ip", Ip.ToString()), ("mac", Mac), ("instance", Instance));

    public static Reservation Parse(string fileName, string text, GntComConfig cfg)
    {
        var m = KeyValueText.Parse(text);
        string name = Names.Interface(m.GetValueOrDefault("name"), "reservation name");
        if (name != fileName || !cfg.IsChannelName(name))
            throw new InvalidInputException("reservation " + Quote.Value(fileName) + " names " + Quote.Value(name));
        return new Reservation(name,
            Ipv4.Parse(m.GetValueOrDefault("ip"), "reservation ip"),
            MacAddress.Parse(m.GetValueOrDefault("mac"), "reservation mac"),
            Names.Instance(m.GetValueOrDefault("instance"), "reservation instance"));
    }
}
