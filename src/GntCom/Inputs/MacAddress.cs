using System;

namespace GntCom.Inputs;

/// <summary>Ethernet MAC addresses: six hex pairs separated by ':' (or '-'), unicast, not zero.</summary>
public static class MacAddress
{
    /// <summary>Normalises a MAC to lower-case "aa:bb:cc:dd:ee:ff", else null.</summary>
    public static string? TryNormalize(string? text)
    {
        if (text == null || text.Length != 17) return null;
        Span<byte> b = stackalloc byte[6];
        char sep = text[2];
        if (sep != ':' && sep != '-') return null;
        for (int i = 0; i < 6; i++)
        {
            int h = Hex(text[i * 3]), l = Hex(text[i * 3 + 1]);
            if (h < 0 || l < 0) return null;
            if (i < 5 && text[i * 3 + 2] != sep) return null;
            b[i] = (byte)(h << 4 | l);
        }
        return Format(b);
    }

    /// <summary>Normalises a guest MAC or throws: it must be a unicast, non-zero address.</summary>
    public static string Parse(string? text, string what)
    {
        string mac = TryNormalize(text)
            ?? throw new InvalidInputException(what + " " + Quote.Value(text) + " is not a MAC address (aa:bb:cc:dd:ee:ff)");
        if ((Hex(mac[1]) & 1) != 0)
            throw new InvalidInputException(what + " " + Quote.Value(text) + " is a multicast MAC address, not a guest's");
        if (mac == "00:00:00:00:00:00")
            throw new InvalidInputException(what + " " + Quote.Value(text) + " is the all-zero MAC address");
        return mac;
    }

    /// <summary>The six bytes of a normalised MAC ("aa:bb:cc:dd:ee:ff").</summary>
    public static void ToBytes(string mac, Span<byte> into)
    {
        for (int i = 0; i < 6; i++) into[i] = (byte)(Hex(mac[i * 3]) << 4 | Hex(mac[i * 3 + 1]));
    }

    public static string Format(ReadOnlySpan<byte> b)
    {
        Span<char> c = stackalloc char[17];
        const string digits = "0123456789abcdef";
        for (int i = 0; i < 6; i++)
        {
            c[i * 3] = digits[b[i] >> 4];
            c[i * 3 + 1] = digits[b[i] & 15];
            if (i < 5) c[i * 3 + 2] = ':';
        }
        return new string(c);
    }

    private static int Hex(char c) =>
        c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}
