using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using GntCom.Interop;
using GntCom.Net;
using GntCom.Netlink;

namespace GntCom.Channel;

/// <summary>
/// Keeps a channel exclusive even on a host that forwards: a policy rule
/// `iif gnt.com.N lookup 16925` (IPv4 and IPv6) sends everything a guest addresses to
/// anything but the host itself into a table holding only `unreachable default`.
/// Packets for the host's own addresses never get there: the `local` table is consulted
/// first (rule 0). The per-interface forwarding=0 is kept too, but it is not enough on
/// its own: writing net.ipv4.ip_forward (as libvirt, Docker or an admin may, at any time)
/// resets every interface's forwarding setting.
/// </summary>
internal static class Isolation
{
    public const uint Table = 16925;
    public const uint Priority = 16925;

    private static readonly AddressFamily[] Families = { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 };

    private static Route Unreachable(AddressFamily family) => new()
    {
        Destination = family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any,
        PrefixLength = 0, Table = Table, Type = Rtm.RTN_UNREACHABLE,
        Scope = Rtm.RT_SCOPE_UNIVERSE, Protocol = Rtm.RTPROT_STATIC,
    };

    private static Rule RuleFor(AddressFamily family, string ifname) => new(family, Priority, ifname, Table);

    /// <summary>Installs the interface's rules (and the shared unreachable routes); each step undoable.</summary>
    public static void Apply(NetlinkHandle nl, string ifname, UndoLog undo)
    {
        foreach (var family in Families)
        {
            nl.RouteReplace(Unreachable(family)); // shared by every channel: never undone
            var rule = RuleFor(family, ifname);
            try
            {
                nl.RuleAdd(rule);
                undo.Push(rule.ToString(), () => Remove(nl, ifname, family));
            }
            catch (NetlinkException e) when (e.Errno == Errno.EEXIST)
            {
            }
            catch (NetlinkException e) when (e.Errno == Errno.EAFNOSUPPORT && family == AddressFamily.InterNetworkV6)
            {
                // No IPv6 on this host: nothing to isolate there.
            }
        }
    }

    /// <summary>Removes the interface's rules; rules already gone are fine.</summary>
    public static void Remove(NetlinkHandle nl, string ifname)
    {
        foreach (var family in Families) Remove(nl, ifname, family);
    }

    private static void Remove(NetlinkHandle nl, string ifname, AddressFamily family)
    {
        try
        {
            nl.RuleDel(RuleFor(family, ifname));
        }
        catch (NetlinkException e) when (e.Errno is Errno.ENOENT or Errno.ESRCH or Errno.EAFNOSUPPORT)
        {
        }
    }

    /// <summary>What is missing for <paramref name="ifname"/>, for gnt-com check.</summary>
    public static IEnumerable<string> Check(NetlinkHandle nl, IReadOnlyList<string> ifnames)
    {
        if (ifnames.Count == 0) yield break;
        foreach (var family in Families)
        {
            List<Rule> rules;
            List<Route> routes;
            try
            {
                rules = nl.RuleList(family);
                routes = nl.RouteList(family);
            }
            catch (NetlinkException e) when (e.Errno == Errno.EAFNOSUPPORT)
            {
                continue;
            }
            string v = family == AddressFamily.InterNetwork ? "" : "-6 ";
            if (!routes.Any(r => r.Table == Table && r.PrefixLength == 0 && r.Type == Rtm.RTN_UNREACHABLE))
                yield return "isolation: no '" + v + "unreachable default table " + Table + "' route";
            foreach (string name in ifnames)
                if (!rules.Any(r => r.InputInterface == name && r.Table == Table && r.Priority == Priority))
                    yield return name + ": no isolation rule '" + v + "iif " + name + " lookup " + Table + "'";
        }
    }
}
