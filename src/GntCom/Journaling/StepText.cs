using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using GntCom.Inputs;

namespace GntCom.Journaling;

/// <summary>
/// Reads the fields of one journal line, each checked as anything read from a file is: a
/// line that was cut short by a kill, or garbage, is an error naming the line.
/// </summary>
public sealed class StepReader
{
    private readonly string[] _tokens;
    private readonly string _line;
    private int _next = 1;

    internal StepReader(string line, string[] tokens)
    {
        _line = line;
        _tokens = tokens;
    }

    private string Take(string what, Func<string, bool> valid)
    {
        if (_next >= _tokens.Length) throw Bad("wrong number of fields");
        string tok = _tokens[_next];
        if (!valid(tok)) throw Bad("bad field " + _next + " (" + what + ")");
        _next++;
        return tok;
    }

    internal void End()
    {
        if (_next != _tokens.Length) throw Bad("wrong number of fields");
    }

    /// <summary>An interface index (a positive int).</summary>
    public int Index() => Positive("ifindex");
    /// <summary>A positive int (a prefix length, a process group).</summary>
    public int Positive(string what) =>
        int.Parse(Take(what, t => IsNumber(t, int.MaxValue) && t != "0"), NumberStyles.None, CultureInfo.InvariantCulture);
    /// <summary>A process id, or 0 for none.</summary>
    public int Owner() => int.Parse(Take("owner", t => IsNumber(t, int.MaxValue)), NumberStyles.None, CultureInfo.InvariantCulture);
    public ulong ULong() => ulong.Parse(Take("number", t => IsNumber(t, ulong.MaxValue)), NumberStyles.None, CultureInfo.InvariantCulture);
    public string Name() => Take("interface name", IsInterfaceName);
    public IPAddress Ipv4() => IPAddress.Parse(Take("IPv4 address", t => Ipv4Parse(t) != null));
    /// <summary>An IPv4 or IPv6 address.</summary>
    public IPAddress Ip() => IPAddress.Parse(Take("address", t => Ipv4Parse(t) != null || IsIpv6(t)));
    public string Mac() => Take("MAC", t => MacAddress.TryNormalize(t) == t);
    /// <summary>A guest IP or MAC (what a claim is on).</summary>
    public string IpOrMac() => Take("IP or MAC", t => Ipv4Parse(t) != null || MacAddress.TryNormalize(t) == t);
    public bool Flag() => Take("0 or 1", t => t is "0" or "1") == "1";
    public string Word(params string[] allowed) => Take(string.Join("|", allowed), t => Array.IndexOf(allowed, t) >= 0);
    /// <summary>An instance name, or "-" for none.</summary>
    public string? Instance()
    {
        string t = Take("instance", s => s == "-" || IsInstanceName(s));
        return t == "-" ? null : t;
    }
    public string XenbusPath() => Take("xenbus path", Inputs.XenbusPath.IsValid);
    /// <summary>A sysctl value as GntCom writes them (digits).</summary>
    public string SysctlValue() => Take("sysctl value", t => t.Length is > 0 and <= 10 && IsDigits(t));

    private InvalidInputException Bad(string why) => new("journal line " + Quote.Value(_line) + ": " + why);

    private static IPAddress? Ipv4Parse(string t) => Inputs.Ipv4.TryParse(t);

    /// <summary>An IPv6 address in the form GntCom writes it (so that it reads back the same).</summary>
    private static bool IsIpv6(string t) =>
        t.Contains(':') && IPAddress.TryParse(t, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6 && a.ToString() == t;

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
}

/// <summary>Writes the fields of one journal line, in the form <see cref="StepReader"/> reads.</summary>
public sealed class StepWriter
{
    private readonly List<string> _tokens = new();

    internal IReadOnlyList<string> Tokens => _tokens;

    private StepWriter Add(string token)
    {
        _tokens.Add(token);
        return this;
    }

    public StepWriter Index(int i) => Add(i.ToString(CultureInfo.InvariantCulture));
    public StepWriter Owner(int pid) => Add(pid.ToString(CultureInfo.InvariantCulture));
    public StepWriter ULong(ulong n) => Add(n.ToString(CultureInfo.InvariantCulture));
    public StepWriter Name(string name) => Add(name);
    public StepWriter Ip(IPAddress ip) => Add(ip.ToString());
    public StepWriter Text(string value) => Add(value);
    public StepWriter Flag(bool b) => Add(b ? "1" : "0");
    public StepWriter Instance(string? instance) => Add(instance ?? "-");
}
