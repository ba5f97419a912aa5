using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using GntCom.Tests.Infrastructure;

namespace GntCom.Tests.Campaign;

/// <summary>
/// Compares a namespace with GntCom's records, independently of GntCom's own check: every
/// record is a fully configured interface, every configured interface has a record, nothing
/// is half done (no journal, no temporary file, no stray address, route, claim or rule), and
/// DHCP's hosts file says exactly what the records say. Returns one line per difference.
/// </summary>
internal static class Consistency
{
    private const string ChannelAddress = "169.254.169.254";
    /// <summary>gnt.com.N exactly (gnt.com.00 or gnt.com.-1 may be a routed vif's name).</summary>
    private static readonly System.Text.RegularExpressions.Regex ChannelName = new(@"^gnt\.com\.(0|[1-9][0-9]{0,8})$");

    public sealed record Rec(string Name, int Index, string Ip, string Mac, string Original);

    public static List<Rec> Records(string root)
    {
        var list = new List<Rec>();
        string dir = Path.Combine(root, "ifaces");
        if (!Directory.Exists(dir)) return list;
        foreach (string f in Directory.GetFiles(dir))
        {
            if (f.Contains(".tmp-")) continue;
            var kv = File.ReadAllLines(f).Where(l => l.Contains('=')).ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
            list.Add(new Rec(kv["name"], int.Parse(kv["ifindex"]), kv["ip"], kv["mac"], kv["original"]));
        }
        return list;
    }

    public static List<string> Check(Host h, bool dhcp)
    {
        var problems = new List<string>();
        string root = h.StateRoot;
        var records = Records(root);

        string journal = Path.Combine(root, "journal");
        if (Directory.Exists(journal))
            foreach (string f in Directory.GetFiles(journal)) problems.Add("journal left behind: " + Path.GetFileName(f));

        using var links = JsonDocument.Parse(h.Ns.Ip("-j", "link", "show"));
        using var addrs = JsonDocument.Parse(h.Ns.Ip("-j", "-4", "addr", "show"));
        using var routes = JsonDocument.Parse(h.Ns.Ip("-j", "-4", "route", "show", "table", "main"));
        var nameOf = links.RootElement.EnumerateArray().ToDictionary(l => l.GetProperty("ifindex").GetInt32(), l => l.GetProperty("ifname").GetString()!);
        var v4 = new Dictionary<string, List<string>>();
        foreach (var a in addrs.RootElement.EnumerateArray())
        {
            string dev = a.GetProperty("ifname").GetString()!;
            v4[dev] = a.GetProperty("addr_info").EnumerateArray().Select(i => i.GetProperty("local").GetString() + "/" + i.GetProperty("prefixlen").GetInt32()).ToList();
        }
        var routeList = routes.RootElement.EnumerateArray()
            .Select(r => (Dst: r.GetProperty("dst").GetString()!, Dev: r.TryGetProperty("dev", out var d) ? d.GetString()! : "")).ToList();

        var recorded = new HashSet<string>();
        foreach (var r in records)
        {
            recorded.Add(r.Name);
            if (!nameOf.TryGetValue(r.Index, out string? name)) { problems.Add("record " + r.Name + ": ifindex " + r.Index + " is gone"); continue; }
            if (name != r.Name) { problems.Add("record " + r.Name + ": ifindex " + r.Index + " is called " + name); continue; }
            if (!(v4.TryGetValue(name, out var mine) && mine.Contains(ChannelAddress + "/32"))) problems.Add("record " + r.Name + ": no " + ChannelAddress + "/32");
            if (!routeList.Contains((r.Ip, r.Name))) problems.Add("record " + r.Name + ": no route " + r.Ip + " dev " + r.Name);
            string rp = h.Ns.Sysctl("net/ipv4/conf/" + name + "/rp_filter");
            if (rp != "1") problems.Add("record " + r.Name + ": rp_filter " + rp);
            if (Claim(root, "ips", r.Ip) != r.Name) problems.Add("record " + r.Name + ": ips/" + r.Ip + " says " + Claim(root, "ips", r.Ip));
            if (Claim(root, "macs", r.Mac) != r.Name) problems.Add("record " + r.Name + ": macs/" + r.Mac + " says " + Claim(root, "macs", r.Mac));
        }
        // The host's own interfaces and routed (vif-route) vifs are not channels: only what
        // a channel has (the channel address, a channel name, a guest's IP) must be recorded.
        foreach (var (dev, list) in v4)
            if (!recorded.Contains(dev) && list.Contains(ChannelAddress + "/32")) problems.Add("unrecorded " + dev + " carries " + ChannelAddress);
        foreach (var (dst, dev) in routeList)
            if ((ChannelName.IsMatch(dev) || records.Any(r => r.Ip == dst)) && !records.Any(r => r.Ip == dst && r.Name == dev))
                problems.Add("route " + dst + " dev " + dev + " belongs to no record");
        var reservations = Names(Path.Combine(root, "reservations"));
        foreach (string kind in new[] { "ips", "macs" })
            foreach (string value in Names(Path.Combine(root, kind)))
            {
                string? owner = Claim(root, kind, value);
                bool ok = owner != null && (records.Any(r => r.Name == owner && (kind == "ips" ? r.Ip : r.Mac) == value) || reservations.Contains(owner));
                if (!ok) problems.Add(kind + "/" + value + " claimed by " + owner + ", which holds no such thing");
            }
        foreach (string origin in Names(Path.Combine(root, "origins")))
        {
            string target = File.ReadAllText(Path.Combine(root, "origins", origin)).Trim();
            if (!recorded.Contains(target)) problems.Add("origins/" + origin + " names " + target + ", which has no record");
        }
        int rules = h.Ns.Ip("-4", "rule", "show").Split('\n').Count(l => l.StartsWith("1692"));
        if (rules != (records.Count > 0 ? 4 : 0)) problems.Add(rules + " isolation rules with " + records.Count + " record(s)");
        if (dhcp)
        {
            string hostsPath = Path.Combine(root, "dhcp", "dnsmasq.hosts");
            var hosts = File.Exists(hostsPath) ? File.ReadAllLines(hostsPath).Where(l => l.Length > 0).OrderBy(l => l).ToArray() : Array.Empty<string>();
            var want = records.Select(r => r.Mac + "," + r.Ip).OrderBy(l => l).ToArray();
            if (!hosts.SequenceEqual(want)) problems.Add("dnsmasq.hosts [" + string.Join(" ", hosts) + "] != records [" + string.Join(" ", want) + "]");
        }
        return problems;
    }

    /// <summary>
    /// Temporary files of killed writers still in the state (FILE.tmp-PID): not state (no reader
    /// takes them for a record), but garbage; reported apart from the differences above.
    /// </summary>
    public static List<string> TemporaryFiles(string root) =>
        Directory.Exists(root)
            ? Directory.GetFiles(root, "*", SearchOption.AllDirectories).Where(f => f.Contains(".tmp-")).Select(f => f[root.Length..]).ToList()
            : new List<string>();

    private static string? Claim(string root, string kind, string value)
    {
        string path = Path.Combine(root, kind, value);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    private static HashSet<string> Names(string dir) =>
        Directory.Exists(dir) ? Directory.GetFiles(dir).Select(Path.GetFileName).Where(n => !n!.Contains(".tmp-")).ToHashSet()! : new HashSet<string>();
}
