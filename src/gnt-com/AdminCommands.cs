using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using GntCom.Channel;
using GntCom.Cli;
using GntCom.Config;
using GntCom.Inputs;
using GntCom.State;

namespace GntCom.Admin;

/// <summary>The verbs of gnt-com. Output goes to stdout; errors are thrown to the entry frame.</summary>
internal static class AdminCommands
{
    public static int Allocate(AllocateOptions o)
    {
        var cfg = Entry.LoadConfig(o.Config);
        var ip = cfg.GuestIp(o.Ip, "--ip");
        string mac = MacAddress.Parse(o.Mac, "--mac");
        string? instance = Names.Instance(o.Instance, "--instance");
        using var channels = Channels.Open(cfg);
        Console.Out.WriteLine(channels.Allocate(ip, mac, instance).Name);
        return Entry.Ok;
    }

    public static int Release(ReleaseOptions o)
    {
        var cfg = Entry.LoadConfig(o.Config);
        string name = Names.Interface(o.Name, "NAME");
        if (!cfg.IsChannelName(name)) throw new InvalidInputException("NAME " + Quote.Value(name) + " is not a channel name (" + cfg.InterfacePrefix + "N)");
        using var channels = Channels.Open(cfg);
        if (!channels.Release(name)) Console.Error.WriteLine("gnt-com: " + name + " was not reserved");
        return Entry.Ok;
    }

    public static int Status(StatusOptions o)
    {
        var cfg = Entry.LoadConfig(o.Config);
        using var channels = Channels.Open(cfg);
        var s = channels.Status();
        Console.Out.Write(o.Json ? JsonSerializer.Serialize(ToJson(s), JsonContext.Default.StatusJson) + "\n" : Format(s));
        return Entry.Ok;
    }

    public static int Check(CheckOptions o)
    {
        var cfg = Entry.LoadConfig(o.Config);
        using var channels = Channels.Open(cfg);
        var problems = channels.Check();
        if (o.Json)
        {
            Console.Out.Write(JsonSerializer.Serialize(new CheckJson(problems.Count == 0, problems), JsonContext.Default.CheckJson) + "\n");
            return problems.Count == 0 ? Entry.Ok : Entry.Failure;
        }
        foreach (string p in problems) Console.Out.WriteLine(p);
        if (problems.Count > 0)
        {
            Console.Error.WriteLine("gnt-com: " + problems.Count + " problem(s) found; 'gnt-com repair' fixes what it can");
            return Entry.Failure;
        }
        Console.Out.WriteLine("ok: " + channels.ChannelCount + " channel interface(s), all as recorded");
        return Entry.Ok;
    }

    public static int Repair(RepairOptions o)
    {
        var cfg = Entry.LoadConfig(o.Config);
        using var channels = Channels.Open(cfg);
        var repairs = channels.Repair();
        foreach (string r in repairs) Console.Out.WriteLine(r);
        if (repairs.Count == 0) Console.Out.WriteLine("nothing to repair");
        var left = channels.Check();
        foreach (string p in left) Console.Error.WriteLine("gnt-com: still wrong: " + p);
        return left.Count == 0 ? Entry.Ok : Entry.Failure;
    }

    public static int Adopt(AdoptOptions o)
    {
        var cfg = Entry.LoadConfig(o.Config);
        using var channels = Channels.Open(cfg);
        var plan = channels.Adopt(o.GanetiRunDir ?? cfg.GanetiRunDir, o.DryRun);
        string prefix = plan.DryRun ? "would " : "";
        foreach (var a in plan.Actions) Console.Out.WriteLine(prefix + a.Describe());
        foreach (string s in plan.Skipped) Console.Out.WriteLine("skipped " + s);
        if (plan.Failed.Count > 0)
            throw new GntComException("could not adopt " + string.Join("; ", plan.Failed)
                + " (Ganeti's dnsmasq was left running; fix this and run adopt again)");
        if (plan.Actions.Count == 0) Console.Out.WriteLine("nothing to adopt");
        if (!plan.DryRun && plan.Actions.Count > 0)
            Console.Out.WriteLine("done; run 'gnt-com ganeti enable' too, or Ganeti's own scripts will restart their dnsmasq at the next instance start");
        return Entry.Ok;
    }

    public static int Ganeti(GanetiOptions o)
    {
        var cfg = Entry.LoadConfig(o.Config);
        if (o.Action is not ("enable" or "disable" or "refresh" or "hook"))
            throw new InvalidInputException("ganeti action " + Quote.Value(o.Action) + " must be enable, disable, refresh or hook");
        if (o.Action == "hook") return GanetiHook(cfg);
        // --quiet: the package's scripts ask; a node without Ganeti, or not enabled, has nothing to do.
        if (o.Quiet && o.Action != "enable" && !GntCom.Ganeti.GanetiShims.IsEnabled(cfg)) return Entry.Ok;
        // Before any state is opened (and made): a node without Ganeti is left untouched.
        GntCom.Ganeti.GanetiShims.RequireConfDir(cfg);
        if (o.Action == "refresh" && !GntCom.Ganeti.GanetiShims.IsEnabled(cfg))
        {
            Console.Out.WriteLine("nothing to do: GntCom is not enabled for Ganeti here ('gnt-com ganeti enable' enables it)");
            return Entry.Ok;
        }
        using var channels = Channels.Open(cfg);
        var plan = o.Action switch
        {
            "enable" => channels.GanetiEnable(o.GanetiRunDir ?? cfg.GanetiRunDir, o.DryRun),
            "refresh" => channels.GanetiRefresh(o.DryRun),
            _ => channels.GanetiDisable(o.GanetiRunDir ?? cfg.GanetiRunDir, o.DryRun),
        };
        string prefix = plan.DryRun ? "would " : "";
        foreach (var a in plan.Actions) Console.Out.WriteLine(prefix + a.Describe());
        if (!o.Quiet) foreach (string n in plan.Notes) Console.Out.WriteLine(n);
        if (plan.Failed.Count > 0)
            throw new GntComException("could not adopt " + string.Join("; ", plan.Failed)
                + " (Ganeti's scripts and dnsmasq were left in place; fix this and run 'gnt-com ganeti enable' again)");
        if (o.Quiet) return Entry.Ok;
        if (plan.Actions.Count == 0) Console.Out.WriteLine("nothing to do: GntCom is " + (o.Action == "disable" ? "disabled" : "enabled") + " for Ganeti here");
        else if (!plan.DryRun) Console.Out.WriteLine(o.Action == "disable"
            ? "done: Ganeti's own scripts set the channel up again from the next instance start"
            : "done: Ganeti's channel NICs are GntCom's (check with 'gnt-com check')");
        return Entry.Ok;
    }

    /// <summary>
    /// gnt-com ganeti hook: what Ganeti's hooks runner runs (GntCom's instance-migrate
    /// hooks). It never fails a migration: what goes wrong is said on stderr (Ganeti logs
    /// it) and the hook exits 0; the channel then comes up at Ganeti's next ifup.
    /// </summary>
    private static int GanetiHook(GntComConfig cfg)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            if (e.Key is string k && e.Value is string v && k.StartsWith("GANETI_", StringComparison.Ordinal)) env[k] = v;
        if (!env.ContainsKey("GANETI_HOOKS_PHASE"))
            throw new InvalidInputException("GANETI_HOOKS_PHASE is not set: Ganeti's hooks runner runs 'gnt-com ganeti hook' (see gnt-com(8))");
        GanetiHookCall? call = null;
        try
        {
            call = GanetiHookCall.Parse(cfg, env);
            if (call.Path != "instance-migrate")
                Console.Out.WriteLine("gnt-com: hook " + call.Path + ": nothing to do");
            else if (!GanetiHookCall.IsThisNode(call.NewPrimary, System.Net.Dns.GetHostName()))
                Console.Out.WriteLine("gnt-com: not the migration's target (" + call.NewPrimary + "): nothing to do");
            else
            {
                using var channels = Channels.Open(cfg);
                Console.Out.WriteLine("gnt-com: " + channels.MigrationHook(call));
            }
        }
        catch (GntComException e)
        {
            Console.Error.WriteLine("gnt-com: ganeti hook " + (call != null ? call.Phase + " " + call.Instance : "") + ": " + e.Message
                + " (the migration goes on; the channel comes up at Ganeti's next ifup)");
        }
        return Entry.Ok;
    }

    public static int Down(DownOptions o)
    {
        var cfg = Entry.LoadConfig(o.Config);
        var names = o.Names.Select(n => Names.Interface(n, "NAME")).ToList();
        if (o.All == (names.Count > 0)) throw new InvalidInputException("name the channels to take down, or pass --all (see gnt-com down --help)");
        if (o.All)
        {
            using var all = Channels.OpenExisting(cfg);
            int n = all?.DownAll().Count ?? 0;
            Console.Out.WriteLine("down: " + n + " channel(s); nothing of GntCom is left on this node");
            return Entry.Ok;
        }
        using var channels = Channels.Open(cfg);
        foreach (string name in names)
            Console.Out.WriteLine(channels.Down(new DownRequest { Interface = name }) is ChannelRecord r
                ? "down " + r.Name : "down " + name + ": no channel, nothing to do");
        return Entry.Ok;
    }

    private static int IfIndex(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index > 0 ? index
            : throw new InvalidInputException("IFINDEX " + Quote.Value(text) + " must be a positive number");

    public static int Arrived(ArrivedOptions o)
    {
        var cfg = Entry.LoadConfig(o.Config);
        string name = Names.Interface(o.Name, "IFNAME");
        int index = IfIndex(o.Index);
        // Run for every gnt.com.* tap Ganeti opens: nothing expected (the common case), nothing to do.
        using var channels = Channels.OpenExisting(cfg);
        channels?.Arrived(name, index);
        return Entry.Ok;
    }

    public static int Forget(ForgetOptions o)
    {
        var cfg = Entry.LoadConfig(o.Config);
        string name = Names.Interface(o.Name, "IFNAME");
        int index = IfIndex(o.Index);
        // Run for every gnt.com.* removal, also on a node where GntCom never ran: no state, nothing to do.
        using var channels = Channels.OpenExisting(cfg);
        channels?.Removed(name, index);
        return Entry.Ok;
    }

    public static int Dhcp(DhcpOptions o)
    {
        var cfg = Entry.LoadConfig(o.Config);
        switch (o.Action)
        {
            case "status":
            {
                using var channels = Channels.Open(cfg);
                Console.Out.Write(FormatDhcp(channels.Status()));
                return Entry.Ok;
            }
            case "reload":
            {
                using var channels = Channels.Open(cfg);
                int pid = channels.DhcpReload();
                Console.Out.WriteLine("dhcp: reloaded (" + (pid != 0 ? "pid " + pid : "not running: no channel interface") + ")");
                return Entry.Ok;
            }
            case "stop":
            {
                using var channels = Channels.Open(cfg);
                int pid = channels.DhcpStop();
                Console.Out.WriteLine(pid == 0 ? "dhcp: was not running" : "dhcp: stopped pid " + pid + " (the next channel change starts it again)");
                return Entry.Ok;
            }
            default:
                throw new InvalidInputException("dhcp action " + Quote.Value(o.Action) + " must be status, reload or stop");
        }
    }

    private static StatusJson ToJson(StatusSnapshot s) => new(
        Entry.Version, s.StateDir, s.ConfigSource,
        s.Lock != null ? new LockJson(s.Lock.Pid, s.Lock.Command) : null,
        s.Channels.Select(c => new ChannelJson(c.Record.Name, c.Record.Original, c.Record.KindName, c.Record.Ip.ToString(),
            c.Record.Mac, c.Record.Instance, c.Record.Index, c.State)).ToList(),
        s.Reservations.Select(r => new ReservationJson(r.Name, r.Ip.ToString(), r.Mac, r.Instance)).ToList(),
        new DhcpJson(ProviderName(s.Dhcp), s.DhcpMode, s.DnsmasqPid != 0 ? s.DnsmasqPid : null, s.Leases, s.HostsFile, s.DhcpError,
            s.Rivals.Select(r => new RivalJson(r.Pid, r.Command, r.Where, r.Answers)).ToList()),
        s.Unreadable.Concat(s.Problems).Distinct().ToList(),
        s.Expected.Select(e => new ExpectedJson(e.Mac, e.Ip.ToString(), e.Instance, SecondsLeft(e))).ToList());

    private static long SecondsLeft(ExpectedChannel e) => System.Math.Max(0, (long)ExpectedChannel.Lifetime.TotalSeconds - (VifMemory.Now - e.Since));

    private static string ProviderName(DhcpProvider p) => p switch
    {
        DhcpProvider.Dnsmasq => "dnsmasq",
        DhcpProvider.External => "external",
        _ => "off",
    };

    private static string Format(StatusSnapshot s)
    {
        var sb = new StringBuilder();
        sb.Append("state:  ").Append(s.StateDir)
          .Append(s.Lock != null ? " (locked by pid " + s.Lock.Pid + ": " + s.Lock.Command + ")" : "").Append('\n');
        sb.Append("config: ").Append(s.ConfigSource).Append('\n');
        if (s.Channels.Count == 0) sb.Append("channels: none\n");
        else
        {
            var rows = s.Channels.Select(c => new[]
            {
                c.Record.Name, c.Record.Original, c.Record.Ip.ToString(), c.Record.Mac,
                c.Record.Instance ?? "-", c.Record.KindName, c.State,
            }).ToList();
            rows.Insert(0, new[] { "CHANNEL", "ORIGINAL", "IP", "MAC", "INSTANCE", "KIND", "STATE" });
            Table(sb, rows);
        }
        if (s.Reservations.Count > 0)
        {
            sb.Append("reserved:\n");
            var rows = s.Reservations.Select(r => new[] { "  " + r.Name, r.Ip.ToString(), r.Mac, r.Instance ?? "-" }).ToList();
            Table(sb, rows);
        }
        if (s.Expected.Count > 0)
        {
            sb.Append("expected (by live migration):\n");
            Table(sb, s.Expected.Select(e => new[] { "  " + e.Mac, e.Ip.ToString(), e.Instance ?? "-", SecondsLeft(e) + " s left" }).ToList());
        }
        foreach (string u in s.Unreadable) sb.Append("unreadable: ").Append(u).Append('\n');
        sb.Append(FormatDhcp(s));
        int problems = s.Problems.Count;
        sb.Append("check:  ").Append(problems == 0 ? "ok" : problems + " problem(s): run 'gnt-com check'").Append('\n');
        return sb.ToString();
    }

    private static string FormatDhcp(StatusSnapshot s)
    {
        string provider = s.Dhcp switch { DhcpProvider.Dnsmasq => "private dnsmasq", DhcpProvider.External => "external dnsmasq", _ => "off" };
        var sb = new StringBuilder("dhcp:   ").Append(provider);
        if (s.Dhcp != DhcpProvider.Off)
        {
            sb.Append(", mode ").Append(s.DhcpMode ?? "auto");
            sb.Append(s.DnsmasqPid != 0 ? ", pid " + s.DnsmasqPid.ToString(CultureInfo.InvariantCulture) : ", not running");
            sb.Append(", ").Append(s.Leases).Append(" lease(s) in ").Append(s.HostsFile);
            if (s.DhcpError != null) sb.Append("\n        last error: ").Append(s.DhcpError);
            foreach (var r in s.Rivals) sb.Append("\n        ").Append(r.Describe());
        }
        return sb.Append('\n').ToString();
    }

    private static void Table(StringBuilder sb, List<string[]> rows)
    {
        int cols = rows[0].Length;
        var width = new int[cols];
        foreach (var r in rows) for (int i = 0; i < cols; i++) width[i] = Math.Max(width[i], r[i].Length);
        foreach (var r in rows)
        {
            for (int i = 0; i < cols; i++)
            {
                sb.Append(r[i]);
                if (i < cols - 1) sb.Append(' ', width[i] - r[i].Length + 2);
            }
            sb.Append('\n');
        }
    }
}
