using System;
using System.Net;

namespace GntCom.Inputs;

/// <summary>
/// Strict IPv4 handling. <see cref="IPAddress.Parse(string)"/> accepts "1", "0x7f.1" and
/// "1.2.3" (inet_aton forms); an address from the outside must be four decimal octets.
/// </summary>
public static class Ipv4
{
    /// <summary>Parses exactly "a.b.c.d" (each 0-255, no leading zeros, no spaces), else null.</summary>
    public static IPAddress? TryParse(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 15) return null;
        Span<byte> b = stackalloc byte[4];
        int part = 0, value = 0, digits = 0;
        foreach (char c in text)
        {
            if (c == '.')
            {
                if (digits == 0 || part == 3) return null;
                b[part++] = (byte)value;
                value = 0; digits = 0;
            }
            else if (c >= '0' && c <= '9')
            {
                if (digits > 0 && value == 0) return null; // leading zero: octal in inet_aton
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) return null;
            }
            else return null;
        }
        if (part != 3 || digits == 0) return null;
        b[3] = (byte)value;
        return new IPAddress(b);
    }

    /// <summary>Parses an IPv4 address or throws naming <paramref name="what"/> and the value.</summary>
    public static IPAddress Parse(string? text, string what) =>
        TryParse(text) ?? throw new InvalidInputException(what + " " + Quote.Value(text) + " is not an IPv4 address (a.b.c.d)");

    public static uint ToUInt32(IPAddress address)
    {
        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    public static IPAddress FromUInt32(uint value) =>
        new(new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value });
}

/// <summary>An IPv4 network in CIDR form ("169.254.0.0/16").</summary>
public readonly record struct Ipv4Network(IPAddress Network, int PrefixLength)
{
    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);

    public bool Contains(IPAddress address) =>
        (Ipv4.ToUInt32(address) & Mask) == Ipv4.ToUInt32(Network);

    public IPAddress Broadcast => Ipv4.FromUInt32(Ipv4.ToUInt32(Network) | ~Mask);

    /// <summary>The dotted netmask ("255.255.0.0").</summary>
    public IPAddress Netmask => Ipv4.FromUInt32(Mask);

    public override string ToString() => Network + "/" + PrefixLength;

    /// <summary>Parses "a.b.c.d/len" with no host bits set, or throws naming <paramref name="what"/>.</summary>
    public static Ipv4Network Parse(string? text, string what)
    {
        int slash = text?.IndexOf('/') ?? -1;
        if (text == null || slash < 0)
            throw new InvalidInputException(what + " " + Quote.Value(text) + " is not a network (a.b.c.d/len)");
        var net = Ipv4.TryParse(text[..slash]);
        string len = text[(slash + 1)..];
        if (net == null || len.Length == 0 || len.Length > 2 || !int.TryParse(len, out int prefix)
            || prefix < 0 || prefix > 32 || len != prefix.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new InvalidInputException(what + " " + Quote.Value(text) + " is not a network (a.b.c.d/len)");
        var result = new Ipv4Network(net, prefix);
        if ((Ipv4.ToUInt32(net) & ~result.Mask) != 0)
            throw new InvalidInputException(what + " " + Quote.Value(text) + " has host bits set");
        return result;
    }
}
