using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// One Ganeti node: a network namespace of its own with GntCom's state for it, and Ganeti's
/// side of each call emulated: opening the channel tap (named as Ganeti names it), and
/// running kvm-ifup (3.1), kvm-nic-setup (master) or /etc/ganeti/xen-ifup-os through
/// `sh -c` with the NIC environment.
/// </summary>
public sealed partial class GanetiNode : IDisposable
{
    public GanetiNode(GanetiSite site, string role)
    {
        Site = site;
        Ns = new NetNs(role);
        Hostname = role + ".example.org";
    }

    /// <summary>The node's name as Ganeti knows it: its host name (each node has its own UTS namespace when Ganeti runs its hooks).</summary>
    public string Hostname { get; }

    public GanetiSite Site { get; }
    public NetNs Ns { get; }
    public string StateRoot => Site.Sandbox.StateRoot(Ns);

    [GeneratedRegex(@"^gnt\.com\.([0-9]+)")]
    private static partial Regex TapNumber();

    /// <summary>Ganeti's GenerateTapName: gnt.com.(highest N among the links + 1), gnt.com.0 when there is none. No lock.</summary>
    public string GenerateTapName()
    {
        int max = -1;
        foreach (string line in Ns.Ip("-o", "link", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "7: gnt.com.3: <BROADCAST,...>" or "8: gnt.com.4@if2: ..."
            string name = line.Split(": ")[1];
            var m = TapNumber().Match(name);
            if (m.Success) max = Math.Max(max, int.Parse(m.Groups[1].Value));
        }
        return "gnt.com." + (max + 1);
    }

    /// <summary>
    /// Opens the channel tap as Ganeti does before the NIC script runs (IFF_TAP, vnet_hdr);
    /// a persistent tap stands in for the fd Ganeti holds. Returns its name.
    /// </summary>
    public string OpenTap()
    {
        string name = GenerateTapName();
        Ns.Ip("tuntap", "add", "dev", name, "mode", "tap", "vnet_hdr");
        return name;
    }

    /// <summary>The tap goes away: qemu exited (or was killed), or Ganeti's process closed its fd.</summary>
    public void CloseTap(string name) => Ns.Ip("link", "del", "dev", name);

    /// <summary>Ganeti 3.1: `PKGLIBDIR/kvm-ifup TAP` with the NIC environment (no ACTION).</summary>
    public ProcResult KvmIfup(string tap, Nic nic) =>
        Ns.Exec("/bin/sh", GanetiCallers.AsNodeDaemon(GanetiCallers.NicEnvironment(nic, tap), Site.KvmIfup, tap));

    /// <summary>Ganeti master: `PKGLIBDIR/kvm-nic-setup TAP` with ACTION (and MIGRATION_PHASE on a migration target's up).</summary>
    public ProcResult KvmNicSetup(string action, string tap, Nic nic, string? migrationPhase = null)
    {
        var env = GanetiCallers.NicEnvironment(nic, tap);
        env["ACTION"] = action;
        if (migrationPhase != null) env["MIGRATION_PHASE"] = migrationPhase;
        return Ns.Exec("/bin/sh", GanetiCallers.AsNodeDaemon(env, Site.KvmNicSetup, tap));
    }

    /// <summary>Ganeti (Xen, after `xl create`): `/bin/sh -c CONF_DIR/xen-ifup-os` with the NIC environment; master adds ACTION=up.</summary>
    public ProcResult XenIfupOs(string vifname, Nic nic, bool master = false)
    {
        var env = GanetiCallers.NicEnvironment(nic, vifname, xen: true);
        if (master) env["ACTION"] = "up";
        return Ns.Exec("/bin/sh", GanetiCallers.AsNodeDaemon(env, "/bin/sh", "-c", Path.Combine(Site.ConfDir, "xen-ifup-os")));
    }

    /// <summary>
    /// Ganeti's hooks runner on this node (backend.RunHooks, utils.RunParts): every file of
    /// CONF_DIR/hooks/PATH-PHASE.d whose name is a run-parts name and that is executable, in
    /// name order, each with exactly <paramref name="env"/> (reset_env: PATH=/sbin:/bin:/usr/sbin:/usr/bin
    /// and Ganeti's GANETI_* variables), in the node's namespace under the node's host name.
    /// Fails when a hook fails (Ganeti then aborts the operation in the pre phase).
    /// </summary>
    public ProcResult RunHooks(string path, string phase, IReadOnlyDictionary<string, string> env)
    {
        string dir = Path.Combine(Site.ConfDir, "hooks", path + "-" + phase + ".d");
        string script = "hostname \"$0\" || exit 1\nrc=0\n[ -d \"$1\" ] || exit 0\nshift 0\n" +
            "for f in \"$1\"/*; do\n  case ${f##*/} in *[!A-Za-z0-9_-]*) continue ;; esac\n  [ -f \"$f\" ] && [ -x \"$f\" ] || continue\n" +
            "  /usr/bin/env -i " + string.Join(' ', env.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => "'" + kv.Key + "=" + kv.Value + "'")) +
            " \"$f\" </dev/null || rc=1\ndone\nexit $rc\n";
        return Ns.Exec("unshare", "--uts", "/bin/sh", "-c", script, Hostname, dir);
    }

    /// <summary>The installed gnt-com, run by the admin in this node with the installed config.</summary>
    public ProcResult Admin(params string[] args) =>
        Ns.Exec(Site.GntCom, new[] { "--config", Site.ConfigPath }.Concat(args), new Dictionary<string, string?> { ["GNT_COM_CONF"] = null });

    public string[] Records()
    {
        string dir = Path.Combine(StateRoot, "ifaces");
        return Directory.Exists(dir)
            ? Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).Where(n => !n.Contains(".tmp-")).OrderBy(n => n, StringComparer.Ordinal).ToArray()
            : Array.Empty<string>();
    }

    public string Record(string name) => File.ReadAllText(Path.Combine(StateRoot, "ifaces", name));

    /// <summary>GntCom's DHCP hosts file ("" when there is none).</summary>
    public string HostsFile
    {
        get
        {
            string path = Path.Combine(StateRoot, "dhcp", "dnsmasq.hosts");
            return File.Exists(path) ? File.ReadAllText(path) : "";
        }
    }

    /// <summary>The pid of GntCom's running dnsmasq for this node (0 when none).</summary>
    public int DnsmasqPid()
    {
        string pidFile = Path.Combine(StateRoot, "dhcp", "dnsmasq.pid");
        return File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid) && Processes.IsLiveDnsmasq(pid) ? pid : 0;
    }

    public string Addresses(string dev) => Ns.Ip("-4", "addr", "show", "dev", dev);

    public string RoutesText => string.Join('\n', Ns.Routes());

    /// <summary>The policy rules GntCom's isolation installs (prefs 16920-16925), as `ip rule` prints them.</summary>
    public string[] IsolationRules() =>
        Ns.Ip("-4", "rule", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith("1692", StringComparison.Ordinal)).ToArray();

    /// <summary>The channel of <paramref name="nic"/> is set up on <paramref name="dev"/>: address, host route, record.</summary>
    public void AssertChannel(string dev, Nic nic)
    {
        Assert.Contains("inet 169.254.169.254/32", Addresses(dev));
        Assert.Contains(nic.Ip + " dev " + dev + " proto static scope link", RoutesText);
        Assert.Contains(dev, Records());
        string record = Record(dev);
        Assert.Contains("ip=" + nic.Ip, record);
        Assert.Contains("mac=" + nic.Mac, record);
    }

    /// <summary>Nothing of GntCom's on this node: no record, no address or route on <paramref name="dev"/>, no isolation rules.</summary>
    public void AssertNothingConfigured(string dev)
    {
        Assert.Empty(Records());
        if (Ns.LinkExists(dev))
        {
            Assert.DoesNotContain("inet ", Addresses(dev));
            Assert.DoesNotContain(Ns.Routes(), r => r.Contains("dev " + dev + " "));
        }
        Assert.Empty(IsolationRules());
    }

    public void Dispose() => Ns.Dispose();
}

/// <summary>Looks at processes the tests started indirectly (dnsmasq daemonises).</summary>
public static class Processes
{
    /// <summary>Whether <paramref name="pid"/> is a running dnsmasq whose command line names a file below <paramref name="stateRoot"/>.</summary>
    public static bool IsLiveDnsmasqRunning(int pid, string stateRoot)
    {
        try { return IsLiveDnsmasq(pid) && File.ReadAllText("/proc/" + pid + "/cmdline").Contains(stateRoot); }
        catch (IOException) { return false; }
    }

    /// <summary>Whether <paramref name="pid"/> is a running (not zombie) dnsmasq.</summary>
    public static bool IsLiveDnsmasq(int pid)
    {
        try
        {
            string stat = File.ReadAllText("/proc/" + pid + "/stat");
            string state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X" && File.ReadAllText("/proc/" + pid + "/cmdline").Contains("dnsmasq");
        }
        catch (IOException)
        {
            return false;
        }
    }
}
