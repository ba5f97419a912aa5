using System;
using System.Collections.Generic;
using System.Globalization;
using GntCom;
using GntCom.Channel;
using GntCom.Cli;
using GntCom.Config;
using GntCom.Inputs;
using GntCom.Logging;
using GntCom.Net;
using GntCom.State;
using Mono.Unix.Native;

namespace GntCom.Xen;

/// <summary>
/// vif-gnt-com ACTION [KEY=VALUE...]: a Xen vif hotplug script as libxl runs it.
/// `online`/`offline` for a PV vif ($vif), `add`/`remove` for an HVM guest's emulated
/// NIC ($INTERFACE); KEY=VALUE arguments (type_if=, netdev=, ip=) override the
/// environment, the store's nodes override both, as in Xen's vif-common.sh.
/// A vif whose vifname is a channel name (or that has none, with xen_channel = yes) becomes
/// a channel interface; any other is routed exactly as Xen's vif-route routes it.
/// `online` ends by writing hotplug-status=connected; a failed online/add writes
/// hotplug-error and hotplug-status=error, undoes its work and exits 1; offline/remove
/// never fail.
/// </summary>
internal static class VifScript
{
    private const string Program = "vif-gnt-com";

    public static int Execute(string[] args) => Entry.Run(Program, () => Run(args));

    private static int Run(string[] args)
    {
        string? command = null;
        string? configPath = null;
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a is "-h" or "--help") { Console.Out.Write(Usage); return Entry.Ok; }
            if (a == "--version") { Console.Out.WriteLine(Program + " " + Entry.Version); return Entry.Ok; }
            if (a == "--config" && i + 1 < args.Length) { configPath = args[++i]; continue; }
            int eq = a.IndexOf('=');
            if (eq > 0 && IsVariableName(a[..eq])) { vars[a[..eq]] = a[(eq + 1)..]; continue; }
            if (command != null || a.StartsWith('-'))
                throw new InvalidInputException("unexpected argument " + Quote.Value(a) + " (see --help)");
            command = a;
        }
        string? Var(string name) => vars.TryGetValue(name, out var v) && v.Length > 0 ? v : Entry.Env(name);
        // The config first: it says where errors about the other inputs are logged.
        var cfg = Entry.LoadConfig(configPath);

        if (command is not ("online" or "offline" or "add" or "remove"))
            throw new InvalidInputException("action " + Quote.Value(command) + " must be online, offline, add or remove");
        string typeIf = Var("type_if") ?? "vif";
        if (typeIf is not ("vif" or "tap"))
            throw new InvalidInputException("type_if " + Quote.Value(typeIf) + " must be vif or tap");
        // As Xen's vif-common.sh: online/offline concern PV vifs only, add/remove emulated taps only.
        if ((command is "online" or "offline") != (typeIf == "vif")) return Entry.Ok;
        bool up = command is "online" or "add";

        string dev = Names.Interface(typeIf == "vif" ? Var("vif") : Var("INTERFACE"), typeIf == "vif" ? "vif" : "INTERFACE");
        string xenbusPath = XenbusPath(Var("XENBUS_PATH"), typeIf, dev);

        if (!up)
        {
            try
            {
                using var store = Xenstore.Open();
                new VifCall(cfg, store, xenbusPath, command, typeIf, dev, Var).Down();
            }
            catch (GntComException e)
            {
                Log.Warn(command + " " + dev + ": " + e.Message + " (ignored: teardown is best-effort)");
                ForgetChannel(cfg, dev);
            }
            return Entry.Ok;
        }
        using var xs = Xenstore.Open();
        var call = new VifCall(cfg, xs, xenbusPath, command, typeIf, dev, Var);
        try
        {
            call.Up();
        }
        catch (GntComException e)
        {
            call.ReportError(e.Message);
            throw;
        }
        return Entry.Ok;
    }

    /// <summary>Without the store, still tears down a channel recorded under the vif's name.</summary>
    private static void ForgetChannel(GntComConfig cfg, string dev)
    {
        try
        {
            using var channels = new Channels(cfg);
            channels.Down(dev, Syscall.getppid());
        }
        catch (GntComException e)
        {
            Log.Warn("offline " + dev + ": " + e.Message);
        }
    }

    private static bool IsVariableName(string s)
    {
        foreach (char c in s) if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return s.Length > 0 && !char.IsAsciiDigit(s[0]);
    }

    /// <summary>
    /// XENBUS_PATH as libxl passes it (backend/vif/DOM/DEV, relative to the backend
    /// domain's home, or absolute); for an emulated tap without it, derived from the
    /// interface name vifDOM.DEV-emu as vif-common.sh does.
    /// </summary>
    private static string XenbusPath(string? path, string typeIf, string dev)
    {
        if (path == null && typeIf == "tap" && dev.StartsWith("vif", StringComparison.Ordinal) && dev.EndsWith("-emu", StringComparison.Ordinal))
        {
            string[] ids = dev[3..^4].Split('.');
            if (ids.Length == 2) path = "/local/domain/0/backend/vif/" + ids[0] + "/" + ids[1];
        }
        if (path == null) throw new InvalidInputException("XENBUS_PATH is not set (libxl passes backend/vif/DOM/DEV)");
        string[] p = path.Split('/');
        bool relative = p.Length == 4 && p[0] == "backend" && p[1] == "vif";
        bool absolute = p.Length == 8 && p[0] == "" && p[1] == "local" && p[2] == "domain" && IsNumber(p[3])
            && p[4] == "backend" && p[5] == "vif";
        if (!(relative || absolute) || !IsNumber(p[^2]) || !IsNumber(p[^1]))
            throw new InvalidInputException("XENBUS_PATH " + Quote.Value(path) + " is not backend/vif/DOM/DEV");
        return path;
    }

    private static bool IsNumber(string s)
    {
        if (s.Length == 0 || s.Length > 9) return false;
        foreach (char c in s) if (!char.IsAsciiDigit(c)) return false;
        return true;
    }

    private const string Usage =
        "usage: vif-gnt-com online|offline|add|remove [type_if=vif|tap] [netdev=IF] [--config FILE]\n\n" +
        "A Xen vif hotplug script: set `script=vif-gnt-com` in a vif spec or symlink it into\n" +
        "/etc/xen/scripts. Environment (from libxl): vif, XENBUS_PATH, netdev, INTERFACE (tap).\n" +
        "Store nodes read under XENBUS_PATH: vifname, ip, mac, gatewaydev.\n\n" +
        "A vif whose vifname is gnt.com.N (or none, with xen_channel = yes in the config) becomes\n" +
        "a channel interface; any other vif is routed as Xen's vif-route does it.\n";
}

/// <summary>One hotplug call: the store's view of the vif and what to do with it.</summary>
internal sealed class VifCall
{
    private readonly GntComConfig _cfg;
    private readonly Xenstore _xs;
    private readonly string _path;
    private readonly string _command;
    private readonly string _typeIf;
    private readonly string _dev;
    private readonly Func<string, string?> _var;

    public VifCall(GntComConfig cfg, Xenstore xs, string path, string command, string typeIf, string dev, Func<string, string?> var)
    {
        _cfg = cfg; _xs = xs; _path = path; _command = command; _typeIf = typeIf; _dev = dev; _var = var;
    }

    private string? Node(string name)
    {
        string? v = _xs.Read(_path + "/" + name);
        return string.IsNullOrEmpty(v) ? null : v;
    }

    /// <summary>The store's vifname, validated (and "-emu" appended for an emulated tap, as Xen does).</summary>
    private string? VifName(out bool channel)
    {
        string? vifname = Node("vifname");
        if (vifname != null) Names.Interface(vifname, "vifname");
        channel = vifname != null ? _cfg.IsChannelName(vifname) : _cfg.XenChannel;
        if (vifname != null && _typeIf == "tap") vifname = Names.Interface(vifname + "-emu", "vifname");
        return vifname;
    }

    private uint Metric => _typeIf == "tap" ? 1u : 2u;

    private int DomId => int.Parse(_path.Split('/')[^2], CultureInfo.InvariantCulture);

    public void Up()
    {
        string? vifname = VifName(out bool channel);
        if (channel && _typeIf == "tap")
        {
            // The channel lives on the PV vif of an HVM guest; its emulated twin stays unconfigured.
            Log.Info(_command + " " + _dev + ": channel vif's emulated NIC left alone (the PV vif carries the channel)");
            return;
        }
        if (channel) ChannelUp(vifname); else RoutedUp(vifname);
        if (_command == "online") _xs.Write(_path + "/hotplug-status", "connected");
    }

    private void ChannelUp(string? vifname)
    {
        string? ipNode = Node("ip");
        string? ipText = ipNode ?? _var("IP");
        if (ipText != null && ipText.Trim().Contains(' '))
            throw new InvalidInputException("ip " + Quote.Value(ipText) + ": a channel vif carries exactly one guest IP");
        string? macText = Node("mac") ?? _var("MAC");
        var request = new ChannelRequest
        {
            Interface = _dev,
            DesiredName = vifname,
            Ip = ipText != null ? _cfg.GuestIp(ipText.Trim(), ipNode != null ? "ip" : "IP") : null,
            Mac = macText != null ? MacAddress.Parse(macText, "mac") : null,
            Instance = InstanceName(),
            Kind = ChannelKind.Vif,
            Owner = Syscall.getppid(),
        };
        using var channels = new Channels(_cfg);
        channels.Up(request);
    }

    /// <summary>The guest domain's name, when it is a valid instance name.</summary>
    private string? InstanceName()
    {
        string? name = _xs.Read("/local/domain/" + DomId + "/name");
        try { return Names.Instance(name, "domain name"); }
        catch (InvalidInputException) { return null; }
    }

    private void RoutedUp(string? vifname)
    {
        var ips = VifRoute.ParseIpList(Node("ip") ?? _var("ip"), "ip");
        string netdev = Names.Interface(_var("netdev") ?? Node("gatewaydev") ?? "eth0", "netdev");
        using var nl = NetlinkHandle.Open();
        var routed = new VifRoute(nl);
        var dom0 = routed.Dom0Address(netdev);
        var link = nl.LinkByName(_dev) ?? throw new GntComException("interface " + Quote.Value(_dev) + " does not exist");
        var undo = new UndoLog();
        try
        {
            if (vifname != null && vifname != link.Name)
            {
                if (nl.LinkByName(vifname) != null)
                    throw new GntComException("cannot rename " + _dev + " to " + vifname + ": an interface with that name already exists");
                if (link.IsUp) nl.LinkSetDown(link.Index);
                nl.LinkSetName(link.Index, vifname);
                int index = link.Index;
                string original = link.Name;
                undo.Push("rename " + original, () => { nl.LinkSetDown(index); nl.LinkSetName(index, original); });
                link = link with { Name = vifname, Flags = link.Flags & ~Netlink.Rtm.IFF_UP };
            }
            routed.Online(link, dom0, ips, Metric, undo);
            undo.Commit();
        }
        catch (GntComException)
        {
            undo.Rollback();
            throw;
        }
        Log.Info(_command + " routed " + link.Name + (link.Name != _dev ? " (was " + _dev + ")" : "") + " src " + dom0
            + " ip " + (ips.Count == 0 ? "(none)" : string.Join(" ", ips.ConvertAll(i => i.Address + "/" + i.PrefixLength))));
    }

    public void Down()
    {
        string? vifname = VifName(out bool channel);
        string name = vifname ?? _dev;
        if (channel)
        {
            if (_typeIf == "tap") return;
            using var channels = new Channels(_cfg);
            channels.Down(vifname ?? _dev, Syscall.getppid());
            return;
        }
        var ips = VifRoute.ParseIpList(Node("ip") ?? _var("ip"), "ip");
        using var nl = NetlinkHandle.Open();
        var link = nl.LinkByName(name) ?? nl.LinkByName(_dev);
        new VifRoute(nl).Offline(link, ips, Metric);
        Log.Info(_command + " routed " + name + ": routes removed");
    }

    /// <summary>Tells libxl why online/add failed: hotplug-error, then hotplug-status=error.</summary>
    public void ReportError(string message)
    {
        try
        {
            _xs.Write(_path + "/hotplug-error", Log_OneLine(message));
            _xs.Write(_path + "/hotplug-status", "error");
        }
        catch (GntComException e)
        {
            Log.Warn("could not report the error in xenstore: " + e.Message);
        }
    }

    private static string Log_OneLine(string s) => s.Replace('\n', ' ').Replace('\r', ' ');
}
