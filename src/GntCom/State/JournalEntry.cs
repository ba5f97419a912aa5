using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using GntCom.Inputs;

namespace GntCom.State;

/// <summary>
/// One line of an undo journal: what a step is about to change, with what was there
/// before, so that the change can be reverted exactly even by another process after this
/// one was killed. Lines are space-separated tokens; every token is checked when read back,
/// as anything read from a file is.
/// </summary>
public sealed record JournalEntry(string Verb, IReadOnlyList<string> Args)
{
    // Token kinds: n interface name, i positive int, o owner (a pid, or 0 for none), u unsigned int, p IPv4, a IPv4 or
    // IPv6, m MAC, c IPv4 or MAC, v sysctl value (digits), k one word of a fixed set, S instance name or
    // "-" for none, x xenbus path, f address family (ipv4/ipv6), y sysctl key.
    private static readonly Dictionary<string, string> Schemas = new(StringComparer.Ordinal)
    {
        ["channel"] = "ninpmkS",    // name ifindex original ip mac kind instance|-
        ["teardown"] = "n",
        ["routed"] = "in",          // ifindex name
        ["claim"] = "kcn",          // ip|mac value owner
        ["rename"] = "innk",        // ifindex old new wasup(0|1)
        ["linkup"] = "i",
        ["addr"] = "iai",           // ifindex address prefixlen
        ["route"] = "aiiu",         // destination prefixlen ifindex metric(0 = none)
        ["sysctl"] = "fiyv",        // family ifindex key old
        ["txcsum"] = "i",
        ["isolation"] = "",
        ["isolation6"] = "n",       // the interface's own IPv6 rule (bind-interfaces mode)
        ["dhcp"] = "mpn",           // mac ip name
        ["hooks"] = "",
        ["hookpg"] = "iu",          // process group, leader's start time
        ["record"] = "n",
        ["reservation"] = "npmS",   // name ip mac instance|-
        ["note"] = "innx",          // a note consumed: ifindex name original backend
        ["notenew"] = "i",          // a note written: ifindex
        ["origin"] = "non",         // original owner name (owner 0: an adopted channel has no caller)
    };

    private static readonly HashSet<string> SysctlKeys = new(StringComparer.Ordinal) { "forwarding", "rp_filter", "proxy_arp", "disable_ipv6" };
    private static readonly HashSet<string> Words = new(StringComparer.Ordinal) { "ip", "mac", "0", "1", "tap", "vif" };

    public static JournalEntry Of(string verb, params object?[] args)
    {
        var tokens = new List<string>();
        foreach (var a in args)
        {
            tokens.Add(a switch
            {
                int i => i.ToString(CultureInfo.InvariantCulture),
                uint u => u.ToString(CultureInfo.InvariantCulture),
                ulong l => l.ToString(CultureInfo.InvariantCulture),
                bool b => b ? "1" : "0",
                null => "-",
                _ => a.ToString()!,
            });
        }
        var e = new JournalEntry(verb, tokens);
        // What we write must read back: check it the same way.
        return Parse(e.ToString());
    }

    public override string ToString() => Args.Count == 0 ? Verb : Verb + " " + string.Join(' ', Args);

    public int Int(int i) => int.Parse(Args[i], NumberStyles.None, CultureInfo.InvariantCulture);
    public ulong ULong(int i) => ulong.Parse(Args[i], NumberStyles.None, CultureInfo.InvariantCulture);
    public IPAddress Ip(int i) => IPAddress.Parse(Args[i]);
    /// <summary>An instance token ("-" = none).</summary>
    public string? Instance(int i) => Args[i] == "-" ? null : Args[i];

    /// <summary>Parses one line, or throws <see cref="InvalidInputException"/> naming it.</summary>
    public static JournalEntry Parse(string line)
    {
        string[] t = line.Split(' ');
        if (t.Length == 0 || !Schemas.TryGetValue(t[0], out string? schema))
            throw Bad(line, "unknown step");
        if (t.Length - 1 != schema.Length) throw Bad(line, "wrong number of fields");
        for (int i = 1; i < t.Length; i++)
        {
            string tok = t[i];
            bool ok = schema[i - 1] switch
            {
                'n' => IsInterfaceName(tok),
                'i' => IsNumber(tok, int.MaxValue) && tok != "0",
                'o' => IsNumber(tok, int.MaxValue),
                'u' => IsNumber(tok, ulong.MaxValue),
                'p' => Ipv4.TryParse(tok) != null,
                'a' => Ipv4.TryParse(tok) != null || tok.Contains(':') && IPAddress.TryParse(tok, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
                'm' => MacAddress.TryNormalize(tok) == tok,
                'c' => Ipv4.TryParse(tok) != null || MacAddress.TryNormalize(tok) == tok,
                'k' => Words.Contains(tok),
                'S' => tok == "-" || IsInstanceName(tok),
                'x' => XenbusPath.IsValid(tok),
                'f' => tok is "ipv4" or "ipv6",
                'y' => SysctlKeys.Contains(tok),
                'v' => tok.Length is > 0 and <= 10 && IsDigits(tok),
                _ => false,
            };
            if (!ok) throw Bad(line, "bad field " + i);
        }
        return new JournalEntry(t[0], t[1..]);
    }

    private static bool IsNumber(string s, ulong max) =>
        s.Length is > 0 and <= 20 && (s.Length == 1 || s[0] != '0') && IsDigits(s)
        && ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) && n <= max;

    private static bool IsDigits(string s)
    {
        foreach (char c in s) if (!char.IsAsciiDigit(c)) return false;
        return true;
    }

    private static bool IsInterfaceName(string s)
    {
        try { Names.Interface(s, "name"); return true; }
        catch (InvalidInputException) { return false; }
    }

    private static bool IsInstanceName(string s)
    {
        try { return Names.Instance(s, "instance") != null; }
        catch (InvalidInputException) { return false; }
    }

    private static InvalidInputException Bad(string line, string why) =>
        new("journal line " + Quote.Value(line) + ": " + why);
}
