using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using GntCom.Tests.Infrastructure;
using GntCom.Tests.Xen;
using Xunit;
using Xunit.Abstractions;

namespace GntCom.Tests.Campaign;

/// <summary>
/// Hostile argv, environment, xenstore nodes and config files against the four
/// executables, each case in a fresh namespace: no hang, no internal error (exit 70) or
/// crash, every stderr line the program's own and free of control characters, a failure
/// one line that changed nothing in the namespace, the namespace and the records in step,
/// no command of the input ever run, and a failed vif online reported in the store.
/// </summary>
public sealed class HostileInputCampaign
{
    private readonly ITestOutputHelper _out;
    public HostileInputCampaign(ITestOutputHelper output) => _out = output;

    private const string Ip = "169.254.1.2";
    private const string Mac = "52:54:00:12:34:56";

    private sealed record Case(string Label, string Exe, string[] Args, (string Key, string? Value)[] Env,
        Dictionary<string, string>? Store = null, string? Config = null);

    /// <summary>Values no caller should send; MARK is replaced by a file whose existence means a command ran.</summary>
    private static readonly string[] Hostile =
    {
        "", " ", "\t", "a\nb", "tap0\n", "$(touch MARK)", "`touch MARK`", "tap0;touch MARK", "x && touch MARK",
        "../../../../etc/passwd", "/", ".", "..", "-", "--help", "--config", new string('A', 5000), new string('9', 300),
        "\u001b[31mred", "\uff54\uff41\uff50\uff10", "tap0\u00e9", "%s%s%n", "169.254.1.2 ", "169.254.1.2/32", "0x7f.0.0.1",
        "169.254.01.2", "::ffff:169.254.1.2", "52:54:00:12:34:56:78", "ff:ff:ff:ff:ff:ff", "gnt.com.0", "gnt.com.00",
        "gnt.com.-1", "gnt.com.99999999999", "lo", "*", "'", "\"", "\\", "\r", "169.254.169.254",
    };

    private static IEnumerable<Case> Cases()
    {
        (string, string?)[] E(params (string, string?)[] e) => e;
        var qemu = new (string Key, string? Value)[] { ("IP", Ip), ("MAC", Mac) };
        (string, string?)[] With((string Key, string? Value)[] env, string key, string? value) =>
            env.Where(e => e.Key != key).Append((key, value)).ToArray();
        var ganeti = new (string Key, string? Value)[] { ("INTERFACE", "gnt.com.3"), ("MODE", "routed"), ("ACTION", "up"), ("IP", Ip), ("MAC", Mac) };

        foreach (string v in Hostile)
        {
            yield return new("ifup IFNAME", "gnt-com-ifup", new[] { v }, qemu);
            foreach (string key in new[] { "IP", "MAC", "INSTANCE", "ACTION", "MIGRATION_PHASE" })
                yield return new("ifup " + key, "gnt-com-ifup", new[] { "tap0" }, With(qemu, key, v));
            yield return new("ganeti INTERFACE", "gnt-com-ifup", Array.Empty<string>(), With(ganeti, "INTERFACE", v));
            yield return new("ganeti MODE", "gnt-com-ifup", Array.Empty<string>(), With(ganeti, "MODE", v));
            yield return new("ganeti IP", "gnt-com-ifup", Array.Empty<string>(), With(ganeti, "IP", v));
            yield return new("ifdown IFNAME", "gnt-com-ifdown", new[] { v }, E());
            yield return new("ifdown IP", "gnt-com-ifdown", new[] { "tap0" }, E(("IP", v)));

            var store = new Dictionary<string, string> { ["mac"] = "00:16:3e:00:07:07", ["ip"] = "169.254.7.7", ["vifname"] = "gnt.com.0" };
            yield return new("vif action", "vif-gnt-com", new[] { v }, E(), store);
            yield return new("vif $vif", "vif-gnt-com", new[] { "online" }, E(("vif", v)), store);
            yield return new("vif XENBUS_PATH", "vif-gnt-com", new[] { "online" }, E(("XENBUS_PATH", v)), store);
            yield return new("vif type_if=", "vif-gnt-com", new[] { "online", "type_if=" + v }, E(), store);
            // xenstored refuses a value over 4096 bytes (XENSTORE_PAYLOAD_MAX): no store node can hold more.
            string sv = v.Length > 3000 ? v[..3000] : v;
            foreach (string node in new[] { "vifname", "ip", "mac" })
                yield return new("vif store " + node, "vif-gnt-com", new[] { "online" }, E(), new Dictionary<string, string>(store) { [node] = sv });
            var routed = new Dictionary<string, string> { ["mac"] = "00:16:3e:00:07:07", ["ip"] = "10.9.0.5" };
            yield return new("vif routed netdev", "vif-gnt-com", new[] { "online" }, E(("netdev", v)), routed);
            yield return new("vif routed ip", "vif-gnt-com", new[] { "online" }, E(), new Dictionary<string, string>(routed) { ["ip"] = sv });
            yield return new("vif routed gatewaydev", "vif-gnt-com", new[] { "online" }, E(), new Dictionary<string, string>(routed) { ["gatewaydev"] = sv });
            yield return new("vif offline $vif", "vif-gnt-com", new[] { "offline" }, E(("vif", v)), store);

            yield return new("allocate --ip", "gnt-com", new[] { "allocate", "--ip", v, "--mac", Mac }, E());
            yield return new("allocate --mac", "gnt-com", new[] { "allocate", "--ip", Ip, "--mac", v }, E());
            yield return new("allocate --instance", "gnt-com", new[] { "allocate", "--ip", Ip, "--mac", Mac, "--instance", v }, E());
            yield return new("release", "gnt-com", new[] { "release", v }, E());
            yield return new("verb", "gnt-com", new[] { v }, E());
            yield return new("dhcp action", "gnt-com", new[] { "dhcp", v }, E());
            yield return new("adopt dir", "gnt-com", new[] { "adopt", "--ganeti-run-dir", v, "--dry-run" }, E());
            yield return new("config line", "gnt-com-ifup", new[] { "tap0" }, qemu, Config: "hooks_dir = " + v + "\n");
            yield return new("config value", "gnt-com-ifup", new[] { "tap0" }, qemu, Config: "network = " + v + "\n");
        }
        foreach (string text in new[]
        {
            "state_dir = relative/path\n", "hook_timeout = 0\n", "hook_timeout = 99999999999\n", "lock_timeout = -1\n",
            "network = 169.254.0.0/33\n", "address = 300.1.1.1\n", "unknown = 1\n", "=\n", "key\n", "interface_prefix = 123\n",
            "interface_prefix = abcdefghijklmno\n", "interface_prefix = \n", "dhcp = maybe\n", "dhcp_mode = \n", "dhcp_lease_time = 1\n",
            "dhcp_lease_time = 99999999999999999999w\n", "dhcp_except_interfaces = $(touch MARK)\n", "\ufeffhook_timeout = 5\n",
            "hook_timeout = 5\r\n", "xen_channel = yes please\n", new string('#', 100000) + "\n", "dnsmasq = /bin/sh -c touch MARK\n",
        })
            yield return new("config file", "gnt-com-ifup", new[] { "tap0" }, qemu, Config: text);
        yield return new("config is a directory", "gnt-com-ifup", new[] { "tap0" }, With(qemu, "GNT_COM_CONF", "/tmp"));
        yield return new("config is missing", "gnt-com-ifup", new[] { "tap0" }, With(qemu, "GNT_COM_CONF", "/nonexistent/gnt-com.conf"));
        yield return new("--config missing", "gnt-com", new[] { "--config", "/nonexistent", "status" }, E());
        yield return new("argv flood", "gnt-com-ifup", Enumerable.Repeat("tap0", 1000).ToArray(), qemu);
        yield return new("vif argv flood", "vif-gnt-com", new[] { "online" }.Concat(Enumerable.Range(0, 1000).Select(i => "k" + i + "=v")).ToArray(), E(), new Dictionary<string, string> { ["mac"] = "00:16:3e:00:07:07", ["ip"] = "169.254.7.7", ["vifname"] = "gnt.com.0" });
    }

    [CampaignFact("xenstore-read")]
    public void Hostile_argv_environment_store_and_config()
    {
        var problems = new List<string>();
        var byExe = new Dictionary<string, int>();
        var byCode = new Dictionary<int, int>();
        int total = 0;
        // In make test every fourth case (each kind of hostility is many cases); all of them
        // in a full campaign (scripts/campaign.sh).
        int step = CampaignFactAttribute.Size("GNT_COM_HOSTILE_STEP", 1, 4);
        int index = 0;
        foreach (var c in Cases())
        {
            if (index++ % step != 0) continue;
            total++;
            byExe[c.Exe] = byExe.GetValueOrDefault(c.Exe) + 1;
            try
            {
                int code = RunCase(c, problems);
                byCode[code] = byCode.GetValueOrDefault(code) + 1;
            }
            catch (Exception e)
            {
                problems.Add(Describe(c) + ": " + e.GetType().Name + ": " + e.Message);
            }
        }
        var report = new StringBuilder();
        report.Append("Hostile-input campaign: ").Append(total).Append(" cases (")
            .Append(string.Join(", ", byExe.OrderBy(k => k.Key).Select(k => k.Key + " " + k.Value))).Append(")\n");
        report.Append("- exit codes: ").Append(string.Join(", ", byCode.OrderBy(k => k.Key).Select(k => k.Key + ": " + k.Value))).Append('\n');
        report.Append("- problems: ").Append(problems.Count).Append('\n');
        foreach (string p in problems.Take(40)) report.Append("  - ").Append(p).Append('\n');
        _out.WriteLine(Report.Write("hostile", report.ToString()));
        Assert.True(problems.Count == 0, report.ToString());
    }

    private static string Describe(Case c) =>
        c.Label + " [" + c.Exe + " " + string.Join(' ', c.Args.Select(a => GntCom.Inputs.Quote.Value(a, 24))) + "; "
        + string.Join(' ', c.Env.Select(e => e.Key + "=" + GntCom.Inputs.Quote.Value(e.Value, 24)))
        + (c.Store != null ? "; store " + string.Join(' ', c.Store.Select(s => s.Key + "=" + GntCom.Inputs.Quote.Value(s.Value, 24))) : "")
        + (c.Config != null ? "; config " + GntCom.Inputs.Quote.Value(c.Config, 40) : "") + "]";

    private static int RunCase(Case c, List<string> problems)
    {
        using var x = new XenHost();
        var h = x.Host;
        string mark = Path.Combine(h.Sandbox.Dir, "pwned");
        string Sub(string? s) => s?.Replace("MARK", mark) ?? "";
        h.AddTap("tap0");
        h.AddTap("gnt.com.3");
        h.Ns.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
        h.Ns.Ip("link", "set", "eth0", "up");
        h.Ns.Ip("addr", "add", "192.0.2.1/24", "dev", "eth0");
        if (c.Config != null) h.Sandbox.WriteConfig("dhcp = off\n" + Sub(c.Config));
        var env = c.Env.Select(e => (e.Key, e.Value == null ? null : Sub(e.Value))).ToList();
        if (c.Exe == "vif-gnt-com")
        {
            x.AddVif(5, 0, "00:16:3e:00:07:07");
            string b = XenHost.Backend(5, 0);
            foreach (var (k, v) in c.Store!) x.Store.Write(b + "/" + k, Sub(v));
            var defaults = new (string Key, string? Value)[]
            {
                ("vif", "vif5.0"), ("XENBUS_PATH", "backend/vif/5/0"), ("XENSTORED_PATH", x.Store.SocketPath),
                ("XENBUS_TYPE", "vif"), ("script", "/etc/xen/scripts/vif-gnt-com"),
            };
            env = defaults.Where(d => !env.Any(e => e.Key == d.Key)).Concat(env).ToList();
        }
        string before = Hard(h);
        var r = h.Ns.Exec(Repo.Bin(c.Exe), c.Args.Select(Sub), h.Sandbox.Env(env.ToArray()), 30_000);
        string what = Describe(c);

        if (r.Code is not (0 or 1 or 2)) problems.Add(what + ": exit " + r.Code + ": " + r.Err.Trim());
        string[] lines = r.Err.Length == 0 ? Array.Empty<string>() : r.Err.TrimEnd('\n').Split('\n');
        foreach (string line in lines)
        {
            if (!line.StartsWith(c.Exe + ": ")) problems.Add(what + ": stderr line not the program's: " + GntCom.Inputs.Quote.Value(line, 120));
            if (line.Any(ch => ch < 0x20 && ch != '\t')) problems.Add(what + ": control character on stderr: " + GntCom.Inputs.Quote.Value(line, 120));
        }
        bool help = c.Args.Contains("--help") || (c.Exe == "gnt-com" && c.Args.Length > 0 && c.Args[0] == "--help");
        if (r.Code != 0)
        {
            if (lines.Length != 1 || !lines[0].StartsWith(c.Exe + ": error: "))
                problems.Add(what + ": failure is not one error line: " + GntCom.Inputs.Quote.Value(r.Err, 300));
            if (Hard(h) != before) problems.Add(what + ": failed (exit " + r.Code + ") but changed the namespace");
            // Once the store is reached (bad nodes, not bad argv or environment), libxl is told why.
            if ((c.Label.StartsWith("vif store") || c.Label.StartsWith("vif routed"))
                && (x.Store.Read(XenHost.Backend(5, 0) + "/hotplug-status") != "error" || string.IsNullOrEmpty(x.Store.Read(XenHost.Backend(5, 0) + "/hotplug-error"))))
                problems.Add(what + ": online failed without hotplug-error and hotplug-status=error");
        }
        if (c.Exe != "gnt-com" && !help && r.Out.Length > 0) problems.Add(what + ": wrote to stdout: " + GntCom.Inputs.Quote.Value(r.Out, 120));
        if (File.Exists(mark)) problems.Add(what + ": A COMMAND OF THE INPUT RAN");
        if (Directory.Exists(h.StateRoot))
            foreach (string p in Consistency.Check(h, dhcp: false)) problems.Add(what + ": " + p);
        return r.Code;
    }

    private static string Hard(Host h) => GntCom.Tests.Hardening.Hard.Snapshot(h.Ns);
}
