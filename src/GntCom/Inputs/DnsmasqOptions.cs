using System;
using System.Collections.Generic;

namespace GntCom.Inputs;

/// <summary>
/// Which interfaces another dnsmasq answers DHCP on, read from its command line and its
/// config files (outside input: only the few options that decide it are looked at, and
/// nothing read is ever written anywhere): interface= (-i), except-interface= (-I),
/// no-dhcp-interface= (-2), listen-address= (-a), dhcp-range= (-F), conf-file= (-C) and
/// conf-dir= (-7). Names may end in '*', as dnsmasq allows. With no interface= and no
/// listen-address=, dnsmasq listens on every interface but the excepted ones; it answers
/// DHCP on one only with a dhcp-range for that interface's network: the channel address is
/// a /32, so only a range with a netmask of its own that covers it (Ganeti's
/// `dhcp-range=169.254.0.0,static,255.255.0.0`) serves a channel interface.
/// </summary>
public sealed class DnsmasqOptions
{
    /// <summary>dnsmasq's compiled-in config file, read when no -C is given.</summary>
    public const string DefaultConfFile = "/etc/dnsmasq.conf";
    private const int MaxFiles = 64;

    private readonly List<string> _interfaces = new();
    private readonly List<string> _except = new();
    private readonly List<string> _noDhcp = new();
    private readonly List<string> _listen = new();
    private readonly List<string> _ranges = new();
    private int _files;

    /// <summary>
    /// Reads <paramref name="argv"/> (argv[0] is the program) and, through
    /// <paramref name="readFile"/> (null when unreadable) and <paramref name="listDir"/>, the
    /// config files it names.
    /// </summary>
    public static DnsmasqOptions Parse(IReadOnlyList<string> argv, Func<string, string?> readFile, Func<string, IEnumerable<string>> listDir)
    {
        var o = new DnsmasqOptions();
        var confFiles = new List<string>();
        bool confGiven = false;
        for (int i = 1; i < argv.Count; i++)
        {
            string a = argv[i];
            string? key = null, value = null;
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                int eq = a.IndexOf('=');
                key = eq < 0 ? a[2..] : a[2..eq];
                if (eq >= 0) value = a[(eq + 1)..];
                else if (TakesValue(key) && i + 1 < argv.Count) value = argv[++i];
            }
            else if (a.Length >= 2 && a[0] == '-')
            {
                key = LongName(a[1]);
                if (key == null) continue;
                value = a.Length > 2 ? a[2..] : i + 1 < argv.Count ? argv[++i] : null;
            }
            if (key == null) continue;
            if (key == "conf-file")
            {
                confGiven = true;
                if (!string.IsNullOrEmpty(value)) confFiles.Add(value);
                continue;
            }
            o.Apply(key, value, readFile, listDir);
        }
        if (!confGiven) confFiles.Add(DefaultConfFile);
        foreach (string f in confFiles) o.ReadConf(f, readFile, listDir);
        return o;
    }

    private static bool TakesValue(string key) => key is "interface" or "except-interface" or "no-dhcp-interface"
        or "listen-address" or "conf-file" or "conf-dir" or "dhcp-range";

    private static string? LongName(char c) => c switch
    {
        'i' => "interface",
        'I' => "except-interface",
        '2' => "no-dhcp-interface",
        'a' => "listen-address",
        'F' => "dhcp-range",
        'C' => "conf-file",
        '7' => "conf-dir",
        _ => null,
    };

    private void Apply(string key, string? value, Func<string, string?> readFile, Func<string, IEnumerable<string>> listDir)
    {
        if (string.IsNullOrEmpty(value)) return;
        switch (key)
        {
            case "interface": _interfaces.AddRange(value.Split(',')); break;
            case "except-interface": _except.AddRange(value.Split(',')); break;
            case "no-dhcp-interface": _noDhcp.AddRange(value.Split(',')); break;
            case "listen-address": _listen.AddRange(value.Split(',')); break;
            case "dhcp-range": _ranges.Add(value); break;
            case "conf-file": ReadConf(value, readFile, listDir); break;
            case "conf-dir": ReadConfDir(value, readFile, listDir); break;
        }
    }

    private void ReadConf(string path, Func<string, string?> readFile, Func<string, IEnumerable<string>> listDir)
    {
        if (++_files > MaxFiles || !path.StartsWith('/')) return;
        string? text = readFile(path);
        if (text == null) return;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            int eq = line.IndexOf('=');
            if (eq <= 0) continue;
            Apply(line[..eq].Trim(), line[(eq + 1)..].Trim(), readFile, listDir);
        }
    }

    /// <summary>conf-dir=DIR[,.ext...|,*.conf...]: the files of DIR (no dotfiles, no backups), filtered as dnsmasq does.</summary>
    private void ReadConfDir(string value, Func<string, string?> readFile, Func<string, IEnumerable<string>> listDir)
    {
        string[] parts = value.Split(',');
        string dir = parts[0].TrimEnd('/');
        var wanted = new List<string>();
        var skipped = new List<string>();
        for (int i = 1; i < parts.Length; i++)
        {
            if (parts[i].StartsWith("*", StringComparison.Ordinal)) wanted.Add(parts[i][1..]);
            else skipped.Add(parts[i]);
        }
        var names = new List<string>(listDir(dir));
        names.Sort(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (name.StartsWith('.') || name.EndsWith('~') || (name.StartsWith('#') && name.EndsWith('#'))) continue;
            if (wanted.Count > 0 && !wanted.Exists(s => name.EndsWith(s, StringComparison.Ordinal))) continue;
            if (skipped.Exists(s => name.EndsWith(s, StringComparison.Ordinal))) continue;
            ReadConf(dir + "/" + name, readFile, listDir);
        }
    }

    /// <summary>
    /// Whether this dnsmasq answers DHCP on <paramref name="ifname"/>, which carries
    /// <paramref name="address"/>.
    /// </summary>
    public bool ServesDhcpOn(string ifname, string address)
    {
        if (_except.Exists(p => Matches(p, ifname)) || _noDhcp.Exists(p => Matches(p, ifname))) return false;
        if (!_ranges.Exists(r => RangeCovers(r, address))) return false;
        if (_interfaces.Count == 0 && _listen.Count == 0) return true;
        return _interfaces.Exists(p => Matches(p, ifname)) || _listen.Exists(a => a.Trim() == address);
    }

    /// <summary>
    /// Whether dhcp-range=[tag:T,][set:T,]START[,END|MODE][,NETMASK[,BROADCAST]][,LEASE]
    /// applies to an interface whose address is <paramref name="address"/>/32: it needs a
    /// netmask of its own under which START and the address are one network.
    /// </summary>
    private static bool RangeCovers(string range, string address)
    {
        if (Ipv4.TryParse(address) is not System.Net.IPAddress addr) return false;
        var v4 = new List<uint>();
        foreach (string part in range.Split(','))
            if (Ipv4.TryParse(part.Trim()) is System.Net.IPAddress ip) v4.Add(ToUInt(ip));
        if (v4.Count < 2) return false;
        uint start = v4[0], a = ToUInt(addr);
        for (int i = 1; i < v4.Count; i++)
        {
            uint mask = v4[i];
            if (mask != 0 && (~mask & (~mask + 1)) == 0 && (start & mask) == (a & mask)) return true; // contiguous ones: a netmask
        }
        return false;
    }

    private static uint ToUInt(System.Net.IPAddress ip)
    {
        byte[] b = ip.GetAddressBytes();
        return (uint)b[0] << 24 | (uint)b[1] << 16 | (uint)b[2] << 8 | b[3];
    }

    private static bool Matches(string pattern, string name)
    {
        pattern = pattern.Trim();
        return pattern.EndsWith('*') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : pattern == name;
    }
}
