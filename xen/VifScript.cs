using System;
using System.Collections.Generic;
using GntCom;
using GntCom.Channel;
using GntCom.Cli;
using GntCom.Config;
using GntCom.Inputs;
using GntCom.Logging;
using GntCom.State;
using Mono.Unix.Native;

namespace GntCom.Xen;

/// <summary>
/// vif-gnt-com ACTION [KEY=VALUE...]: a Xen vif hotplug script as libxl runs it.
/// `online`/`offline` for a PV vif ($vif), `add`/`remove` for an HVM guest's emulated
/// NIC ($INTERFACE); KEY=VALUE arguments (type_if=, netdev=, ip=) override the
/// environment, the store's nodes override both, as in Xen's vif-common.sh.
/// A vif whose vifname is a channel name (or that has none, with xen_channel = yes) is a
/// channel vif: with the guest's IP known (store, IP=, reservation) it becomes a channel
/// interface at once; without (Ganeti: vifname=gnt.com.N, no ip=) it is renamed and
/// brought up, and Ganeti's xen-ifup-os completes it. Any other vif is routed exactly as
/// Xen's vif-route routes it. `online` ends by writing hotplug-status=connected; a failed
/// online/add writes hotplug-error and hotplug-status=error, undoes its work and exits
/// non-zero; offline/remove never fail.
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
            if (a is "-h" or "--help") { Entry.Print(Usage); return Entry.Ok; }
            if (a == "--version") { Entry.Print(Program + " " + Entry.Version + "\n"); return Entry.Ok; }
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
        string xenbusPath = XenbusPath.Parse(Var("XENBUS_PATH"), typeIf, dev);

        if (!up)
        {
            Xenstore store;
            try
            {
                store = Xenstore.Open();
            }
            catch (GntComException e)
            {
                Log.Warn(command + " " + dev + ": " + e.Message + " (going on without the store)");
                ForgetChannel(cfg, dev);
                return Entry.Ok;
            }
            try
            {
                new VifCall(cfg, store, xenbusPath, command, typeIf, dev, Var).Down();
            }
            catch (GntComException e)
            {
                Log.Warn(command + " " + dev + ": " + e.Message + " (ignored: teardown is best-effort)");
            }
            finally
            {
                store.Dispose();
            }
            return Entry.Ok;
        }
        using var xs = Xenstore.Open();
        var call = new VifCall(cfg, xs, xenbusPath, command, typeIf, dev, Var);
        try
        {
            call.Up();
        }
        catch (Exception e)
        {
            call.ReportError(e is GntComException ? e.Message : "internal error: " + e.GetType().Name + ": " + e.Message);
            throw;
        }
        return Entry.Ok;
    }

    /// <summary>Without the store, still tears down a channel recorded under the vif's name.</summary>
    private static void ForgetChannel(GntComConfig cfg, string dev)
    {
        try
        {
            using var channels = Channels.Open(cfg);
            channels.Down(new DownRequest { Interface = dev, Owner = Syscall.getppid() });
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

    private const string Usage =
        "usage: vif-gnt-com online|offline|add|remove [type_if=vif|tap] [netdev=IF] [--config FILE]\n\n" +
        "A Xen vif hotplug script: set `script=vif-gnt-com` in a vif spec or symlink it into\n" +
        "/etc/xen/scripts. Environment (from libxl): vif, XENBUS_PATH, netdev, INTERFACE (tap).\n" +
        "Store nodes read under XENBUS_PATH: vifname, ip, mac, gatewaydev.\n\n" +
        "A vif whose vifname is gnt.com.N (or none, with xen_channel = yes in the config) becomes\n" +
        "a channel interface; without a guest IP anywhere (Ganeti) it is only renamed and brought\n" +
        "up, and Ganeti's xen-ifup-os completes it. Any other vif is routed as Xen's vif-route does it.\n" +
        "See vif-gnt-com(8).\n";
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

    public void Up()
    {
        string? vifname = VifName(out bool channel);
        if (channel && _typeIf == "tap")
        {
            // The channel lives on the PV vif of an HVM guest; its emulated twin stays unconfigured.
            Log.Info(_command + " " + _dev + ": channel vif's emulated NIC left alone (the PV vif carries the channel)");
            return;
        }
        using (var channels = Channels.Open(_cfg))
        {
            if (channel) ChannelUp(channels, vifname); else RoutedUp(channels, vifname);
        }
        if (_command == "online") _xs.Write(_path + "/hotplug-status", "connected");
    }

    private void ChannelUp(Channels channels, string? vifname)
    {
        string? ipNode = Node("ip");
        string? ipText = ipNode ?? _var("IP");
        if (ipText != null && ipText.Trim().Contains(' '))
            throw new InvalidInputException("ip " + Quote.Value(ipText) + ": a channel vif carries exactly one guest IP");
        string? macText = Node("mac") ?? _var("MAC");
        var ip = ipText != null ? _cfg.GuestIp(ipText.Trim(), ipNode != null ? "ip" : "IP") : null;
        string? mac = macText != null ? MacAddress.Parse(macText, "mac") : null;
        if (ip == null && vifname != null && !channels.IsReserved(vifname))
        {
            // Ganeti's channel vif: no IP anywhere; its xen-ifup-os sets the channel up later.
            channels.VifOnline(_dev, vifname, _path, mac);
            return;
        }
        channels.Up(new ChannelRequest
        {
            Interface = _dev,
            DesiredName = vifname,
            Ip = ip,
            Mac = mac,
            Instance = InstanceName(),
            Kind = ChannelKind.Vif,
            Owner = Syscall.getppid(),
            Backend = _path,
        });
    }

    /// <summary>The guest domain's name, when it is a valid instance name.</summary>
    private string? InstanceName()
    {
        string? name = _xs.Read("/local/domain/" + XenbusPath.DomainId(_path) + "/name");
        try { return Names.Instance(name, "domain name"); }
        catch (InvalidInputException) { return null; }
    }

    private RoutedRequest Routed(string? vifname) => new()
    {
        Interface = _dev,
        DesiredName = vifname,
        Netdev = Names.Interface(_var("netdev") ?? Node("gatewaydev") ?? "eth0", "netdev"),
        Addresses = IpList.Parse(Node("ip") ?? _var("ip"), "ip"),
        Metric = Metric,
    };

    private void RoutedUp(Channels channels, string? vifname) => channels.RoutedOnline(Routed(vifname));

    public void Down()
    {
        string? vifname = VifName(out bool channel);
        using var channels = Channels.Open(_cfg);
        if (channel)
        {
            if (_typeIf == "tap") return;
            channels.VifOffline(_dev, vifname, _path);
            return;
        }
        // With the backend directory gone already (libxl may remove it before offline),
        // no vifname says so: the vif may have been a channel vif; GntCom's records know.
        if (_typeIf == "vif" && vifname == null && Node("mac") == null)
        {
            channels.VifOffline(_dev, null, _path, orRouted: Routed(null));
            return;
        }
        channels.RoutedOffline(Routed(vifname));
    }

    /// <summary>Tells libxl why online/add failed: hotplug-error, then hotplug-status=error.</summary>
    public void ReportError(string message)
    {
        string line = message.Replace('\n', ' ').Replace('\r', ' ');
        try
        {
            Report(_xs, line);
        }
        catch (GntComException)
        {
            // The connection may be what failed (an oversized node breaks it): a fresh one.
            try
            {
                using var fresh = Xenstore.Open();
                Report(fresh, line);
            }
            catch (GntComException e)
            {
                Log.Warn("could not report the error in xenstore: " + e.Message);
            }
        }
    }

    private void Report(Xenstore xs, string line)
    {
        xs.Write(_path + "/hotplug-error", line);
        xs.Write(_path + "/hotplug-status", "error");
    }
}
