using System.Collections.Generic;

namespace GntCom.Inputs;

/// <summary>
/// A dnsmasq hosts file of `MAC,IP` lines, as GntCom writes it and as Ganeti's own
/// ifup-os writes /var/run/ganeti/dnsmasq.hosts. Lines that are not such a pair are skipped.
/// </summary>
public static class HostsFile
{
    /// <summary>The (MAC, IP) pairs, MACs normalised, in file order.</summary>
    public static List<(string Mac, string Ip)> Parse(string? text)
    {
        var pairs = new List<(string, string)>();
        if (text == null) return pairs;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            int comma = line.IndexOf(',');
            if (comma < 0) continue;
            string? mac = MacAddress.TryNormalize(line[..comma]);
            var ip = Ipv4.TryParse(line[(comma + 1)..]);
            if (mac != null && ip != null) pairs.Add((mac, ip.ToString()));
        }
        return pairs;
    }

    /// <summary>Ganeti's hosts file as IP → MAC (a later line wins: Ganeti puts the newest first, so the first is kept).</summary>
    public static Dictionary<string, string> ByIp(string? text)
    {
        var map = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (var (mac, ip) in Parse(text)) map.TryAdd(ip, mac);
        return map;
    }
}
