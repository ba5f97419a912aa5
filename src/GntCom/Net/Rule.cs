using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace GntCom.Net;

/// <summary>What a policy rule does when it matches (fib_rule_hdr.action).</summary>
public enum RuleAction : byte { Unspec = 0, ToTable = 1, Goto = 2, Nop = 3, Blackhole = 6, Unreachable = 7, Prohibit = 8 }

/// <summary>
/// A policy routing rule (ip rule): selectors (input interface, source and destination
/// prefixes) and an action (look up a table, go to another rule, refuse, or nothing).
/// </summary>
public sealed record Rule
{
    public required AddressFamily Family { get; init; }
    public required uint Priority { get; init; }
    public RuleAction Action { get; init; } = RuleAction.ToTable;
    public uint Table { get; init; }
    /// <summary>For <see cref="RuleAction.Goto"/>: the priority to continue at.</summary>
    public uint GotoTarget { get; init; }
    public string? InputInterface { get; init; }
    public IPAddress? From { get; init; }
    public int FromLength { get; init; }
    public IPAddress? To { get; init; }
    public int ToLength { get; init; }

    public override string ToString()
    {
        string s = (Family == AddressFamily.InterNetworkV6 ? "-6 " : "") + "pref " + Priority.ToString(CultureInfo.InvariantCulture);
        if (InputInterface != null) s += " iif " + InputInterface;
        if (From != null) s += " from " + From + "/" + FromLength;
        if (To != null) s += " to " + To + "/" + ToLength;
        return s + Action switch
        {
            RuleAction.ToTable => " lookup " + Table.ToString(CultureInfo.InvariantCulture),
            RuleAction.Goto => " goto " + GotoTarget.ToString(CultureInfo.InvariantCulture),
            RuleAction.Nop => " nop",
            _ => " " + Action.ToString().ToLowerInvariant(),
        };
    }
}
