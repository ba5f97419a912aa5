using System;
using System.Collections.Generic;

namespace GntCom.Inputs;

/// <summary>
/// Which interfaces another dnsmasq answers DHCP on, read from its command line and its
/// config files (outside input: only the few options that decide it are looked at, and
/// nothing read is ever written anywhere): interface= (-i), except-interface= (-I),
/// no-dhcp-interface= (-2), listen-address= (-a), conf-file= (-C) and conf-dir= (-7).
/// Names may end in '*', as dnsmasq allows. With no interface= and no listen-address=,
/// dnsmasq answers on every interface but the excepted ones.
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
        or "listen-address" or "conf-file" or "conf-dir";

    private static string? LongName(char c) => c switch
    {
        'i' => "interface",
        'I' => "except-interface",
        '2' => "no-dhcp-interface",
        'a' => "listen-address",
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
        if (_interfaces.Count == 0 && _listen.Count == 0) return true;
        return _interfaces.Exists(p => Matches(p, ifname)) || _listen.Exists(a => a.Trim() == address);
    }

    private static bool Matches(string pattern, string name)
    {
        pattern = pattern.Trim();
        return pattern.EndsWith('*') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : pattern == name;
    }
}
