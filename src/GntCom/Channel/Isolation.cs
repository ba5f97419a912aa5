using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using GntCom.Inputs;
using GntCom.Net;
using GntCom.Netlink;

namespace GntCom.Channel;

/// <summary>
/// Keeps every channel exclusive, both ways, at a constant cost per packet whatever the
/// number of guests: four policy rules shared by all channel interfaces (IPv4), walked by
/// the kernel on route lookups that the local table (rule 0, the host's own addresses)
/// does not answer:
/// <code>
/// 16920: iif lo goto 16923           the host's own traffic (and rp_filter's reverse lookups) skips the two below
/// 16921: from NETWORK prohibit       a guest's packets that are not for the host itself: not routed anywhere
/// 16922: to NETWORK prohibit         anything forwarded towards a guest, from outside or from another guest
/// 16923: nop                         the goto's target
/// </code>
/// Link-local addresses (the channel's 169.254.0.0/16) are never to be forwarded anyway
/// (RFC 3927). A guest's packets with a source outside NETWORK are dropped by rp_filter=1
/// on its interface. IPv6 is switched off on channel interfaces (bind-interfaces mode needs
/// it on: there each interface gets a rule `-6 iif NAME prohibit`).
/// GntCom before 0.2 put `iif NAME lookup 16925` per interface and `unreachable default`
/// in table 16925: <see cref="MigrateLegacy"/> removes those.
/// </summary>
internal static class Isolation
{
    public const uint SkipPriority = 16920, FromPriority = 16921, ToPriority = 16922, EndPriority = 16923;
    public const uint LegacyPriority = 16925, LegacyTable = 16925;

    /// <summary>The shared rules, in the order they must be added (the goto's target first).</summary>
    public static List<Rule> Rules(Ipv4Network net) => new()
    {
        new Rule { Family = AddressFamily.InterNetwork, Priority = EndPriority, Action = RuleAction.Nop },
        new Rule { Family = AddressFamily.InterNetwork, Priority = SkipPriority, Action = RuleAction.Goto, GotoTarget = EndPriority, InputInterface = "lo" },
        new Rule { Family = AddressFamily.InterNetwork, Priority = FromPriority, Action = RuleAction.Prohibit, From = net.Network, FromLength = net.PrefixLength },
        new Rule { Family = AddressFamily.InterNetwork, Priority = ToPriority, Action = RuleAction.Prohibit, To = net.Network, ToLength = net.PrefixLength },
    };

    /// <summary>The per-interface IPv6 rule of bind-interfaces mode.</summary>
    public static Rule Ipv6Rule(string ifname) =>
        new() { Family = AddressFamily.InterNetworkV6, Priority = FromPriority, Action = RuleAction.Prohibit, InputInterface = ifname };

    /// <summary>Installs the shared rules that are missing; true when any was added.</summary>
    public static bool Ensure(NetlinkHandle nl, Ipv4Network net)
    {
        bool added = false;
        foreach (var rule in Rules(net))
        {
            try
            {
                nl.RuleAdd(rule);
                added = true;
            }
            catch (NetlinkException e) when (e.IsExists)
            {
            }
        }
        return added;
    }

    /// <summary>
    /// Removes the shared rules (the last channel is gone): every rule at their priorities
    /// with their actions, also one made for a channel network the config no longer names.
    /// Rules already gone are fine.
    /// </summary>
    public static void Remove(NetlinkHandle nl, Ipv4Network net) => RemoveExcept(nl, null);

    /// <summary>Keeps exactly the shared rules of <paramref name="net"/> (repair, after a change of `network`).</summary>
    public static void Reconcile(NetlinkHandle nl, Ipv4Network net)
    {
        RemoveExcept(nl, Rules(net));
        Ensure(nl, net);
    }

    private static void RemoveExcept(NetlinkHandle nl, List<Rule>? keep)
    {
        foreach (var r in nl.RuleList(AddressFamily.InterNetwork))
        {
            bool ours = r.Priority switch
            {
                SkipPriority => r.Action == RuleAction.Goto && r.InputInterface == "lo",
                FromPriority or ToPriority => r.Action == RuleAction.Prohibit && r.InputInterface == null,
                EndPriority => r.Action == RuleAction.Nop,
                _ => false,
            };
            if (!ours || (keep != null && keep.Exists(k => Same(k, r)))) continue;
            NetlinkHandle.IgnoreNotFound(() => nl.RuleDel(r));
        }
    }

    public static void AddIpv6Rule(NetlinkHandle nl, string ifname)
    {
        try
        {
            nl.RuleAdd(Ipv6Rule(ifname));
        }
        catch (NetlinkException e) when (e.IsExists || e.IsFamilyUnsupported)
        {
        }
    }

    public static void RemoveIpv6Rule(NetlinkHandle nl, string ifname)
    {
        try
        {
            nl.RuleDel(Ipv6Rule(ifname));
        }
        catch (NetlinkException e) when (e.IsNotFound || e.IsFamilyUnsupported)
        {
        }
    }

    /// <summary>What is missing of the shared rules, for gnt-com check.</summary>
    public static List<string> Check(NetlinkHandle nl, Ipv4Network net)
    {
        var problems = new List<string>();
        var have = nl.RuleList(AddressFamily.InterNetwork);
        foreach (var want in Rules(net))
            if (!have.Exists(r => Same(r, want)))
                problems.Add("isolation: rule '" + want + "' is missing ('gnt-com repair' puts it back)");
        return problems;
    }

    private static bool Same(Rule a, Rule b) =>
        a.Priority == b.Priority && a.Action == b.Action && a.InputInterface == b.InputInterface
        && Equals(a.From, b.From) && (a.From == null || a.FromLength == b.FromLength)
        && Equals(a.To, b.To) && (a.To == null || a.ToLength == b.ToLength)
        && (a.Action != RuleAction.Goto || a.GotoTarget == b.GotoTarget);

    /// <summary>The per-interface rules and table of GntCom before 0.2, still on the host.</summary>
    public static List<string> Legacy(NetlinkHandle nl)
    {
        var found = new List<string>();
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            List<Rule> rules;
            try { rules = nl.RuleList(family); }
            catch (NetlinkException e) when (e.IsFamilyUnsupported) { continue; }
            foreach (var r in rules)
                if (IsLegacy(r)) found.Add(r.ToString());
        }
        return found;
    }

    private static bool IsLegacy(Rule r) =>
        r.Priority == LegacyPriority && r.Action == RuleAction.ToTable && r.Table == LegacyTable && r.InputInterface != null;

    /// <summary>Removes the rules and routes of the old per-interface layout; returns how many objects went.</summary>
    public static int MigrateLegacy(NetlinkHandle nl)
    {
        int removed = 0;
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            try
            {
                foreach (var r in nl.RuleList(family))
                {
                    if (!IsLegacy(r)) continue;
                    NetlinkHandle.IgnoreNotFound(() => nl.RuleDel(r));
                    removed++;
                }
                foreach (var route in nl.RouteList(family, LegacyTable))
                {
                    NetlinkHandle.IgnoreNotFound(() => nl.RouteDel(route));
                    removed++;
                }
            }
            catch (NetlinkException e) when (e.IsFamilyUnsupported)
            {
            }
        }
        return removed;
    }
}
