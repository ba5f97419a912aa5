using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using GntCom.Config;
using GntCom.Logging;
using GntCom.Net;
using GntCom.Processes;
using GntCom.State;

namespace GntCom.Dhcp;

/// <summary>
/// Keeps dnsmasq in step with the channel interfaces. A call adds or removes one guest's
/// `MAC,IP` line in the hosts file (rewritten whole, atomically: fine up to a few thousand
/// guests) without reading any record; `gnt-com repair` rebuilds it from every record.
/// dnsmasq is started with the first guest, reloaded (SIGHUP) on every change and stopped
/// with the last. It is restarted only when it must be: in bind-interfaces mode when the
/// set of interfaces changes, and in any mode when an IP it may have leased to one MAC is
/// handed to another (dnsmasq would refuse the new guest until the old lease expired).
/// Callers hold the host-wide lock.
/// </summary>
public sealed partial class DhcpManager
{
    private readonly GntComConfig _cfg;
    private readonly StateStore _store;
    private DhcpMode? _mode;

    public DhcpManager(GntComConfig cfg, StateStore store)
    {
        _cfg = cfg;
        _store = store;
    }

    private string DhcpDirPath => _store.DhcpDir.Path;
    public string ConfFile => _cfg.DhcpConfFile ?? Path.Combine(DhcpDirPath, "dnsmasq.conf");
    public string HostsFile => _cfg.DhcpHostsFile ?? Path.Combine(DhcpDirPath, "dnsmasq.hosts");
    public string PidFile => _cfg.DhcpPidFile ?? Path.Combine(DhcpDirPath, "dnsmasq.pid");

    /// <summary>bind-interfaces needs every channel interface to carry an IPv6 address of its own.</summary>
    public bool NeedsInterfaceIpv6 => _cfg.Dhcp != DhcpProvider.Off && Mode == DhcpMode.BindInterfaces;

    /// <summary>The IPv6 address of channel interface N in bind-interfaces mode: fe80::a9fe:a9fe:HI:LO, unique on the host.</summary>
    public static IPAddress InterfaceIpv6(int n)
    {
        var b = new byte[16];
        b[0] = 0xfe; b[1] = 0x80;
        b[8] = 0xa9; b[9] = 0xfe; b[10] = 0xa9; b[11] = 0xfe;
        b[12] = (byte)(n >> 24); b[13] = (byte)(n >> 16); b[14] = (byte)(n >> 8); b[15] = (byte)n;
        return new IPAddress(b);
    }

    /// <summary>
    /// The binding mode: the config's, else the cached probe, else probed from
    /// `dnsmasq --help` (no bind-dynamic: bind-interfaces, said in the log).
    /// </summary>
    public DhcpMode Mode
    {
        get
        {
            if (_mode != null) return _mode.Value;
            if (_cfg.DhcpMode != DhcpMode.Auto) return (_mode = _cfg.DhcpMode).Value;
            if (CachedMode() is DhcpMode cached) return (_mode = cached).Value;
            bool dynamic = DnsmasqProcess.SupportsBindDynamic(_cfg.Dnsmasq);
            if (!dynamic) Log.Warn(_cfg.Dnsmasq + " does not support bind-dynamic: using bind-interfaces (dnsmasq restarts when guests come and go)");
            _mode = dynamic ? DhcpMode.BindDynamic : DhcpMode.BindInterfaces;
            try { _store.DhcpDir.Write("mode", BinaryStamp() + " " + ModeName(_mode.Value) + "\n"); }
            catch (GntComException) { }
            return _mode.Value;
        }
    }

    /// <summary>The mode if it is configured or already probed; null rather than running dnsmasq to find out.</summary>
    public DhcpMode? ModeIfKnown() => _mode ?? (_cfg.DhcpMode != DhcpMode.Auto ? _cfg.DhcpMode : CachedMode());

    private DhcpMode? CachedMode()
    {
        string? cached = _store.DhcpDir.Read("mode");
        string stamp = BinaryStamp();
        if (cached == null || !cached.StartsWith(stamp + " ", StringComparison.Ordinal)) return null;
        return cached[(stamp.Length + 1)..].Trim() switch
        {
            "bind-dynamic" => DhcpMode.BindDynamic,
            "bind-interfaces" => DhcpMode.BindInterfaces,
            _ => null,
        };
    }

    public static string ModeName(DhcpMode m) => m switch
    {
        DhcpMode.BindDynamic => "bind-dynamic",
        DhcpMode.BindInterfaces => "bind-interfaces",
        DhcpMode.Wildcard => "wildcard",
        _ => "auto",
    };

    /// <summary>The pid of the dnsmasq serving the channel, 0 when none runs.</summary>
    public int RunningPid() => _cfg.Dhcp switch
    {
        DhcpProvider.Dnsmasq => DnsmasqProcess.RunningPid(PidFile, ConfFile),
        DhcpProvider.External => DnsmasqProcess.RunningPid(PidFile, null),
        _ => 0,
    };

    /// <summary>The last DHCP failure that did not fail a guest's set-up (dhcp_required = no), or null.</summary>
    public string? LastError => _cfg.Dhcp == DhcpProvider.Off ? null : _store.DhcpDir.Read("error")?.Trim();

    /// <summary>Remembers a DHCP failure that was let pass, for `gnt-com check` and status.</summary>
    public void RecordError(string message)
    {
        try { _store.DhcpDir.Write("error", message + "\n"); }
        catch (GntComException) { }
    }

    // ---- changes ------------------------------------------------------------------

    /// <summary>Serves <paramref name="r"/>'s MAC and IP (and its interface, in bind-interfaces mode).</summary>
    public void Add(ChannelRecord r)
    {
        if (_cfg.Dhcp == DhcpProvider.Off) return;
        var hosts = ReadHosts();
        hosts.RemoveAll(l => l.Mac == r.Mac || l.Ip == r.Ip.ToString());
        hosts.Add((r.Mac, r.Ip.ToString()));
        var ifaces = InterfacesInConf();
        if (!ifaces.Contains(r.Name)) ifaces.Add(r.Name);
        Converge(hosts, ifaces);
    }

    /// <summary>
    /// Stops serving <paramref name="r"/>'s pair; the last guest gone (<paramref name="last"/>)
    /// stops dnsmasq, whatever lines a removal that could not be written (a full /run) left.
    /// </summary>
    public void Remove(ChannelRecord r, bool last = false)
    {
        if (_cfg.Dhcp == DhcpProvider.Off) return;
        var hosts = ReadHosts();
        if (last) hosts.Clear();
        hosts.RemoveAll(l => l.Mac == r.Mac && l.Ip == r.Ip.ToString());
        var ifaces = InterfacesInConf();
        ifaces.Remove(r.Name);
        Converge(hosts, ifaces);
    }

    /// <summary>Makes DHCP serve exactly <paramref name="records"/> (repair, adopt, reload).</summary>
    public void Sync(IReadOnlyCollection<ChannelRecord> records)
    {
        if (_cfg.Dhcp == DhcpProvider.Off) return;
        var ordered = records.OrderBy(r => _cfg.ChannelIndex(r.Name)).ToList();
        Converge(ordered.Select(r => (r.Mac, r.Ip.ToString())).ToList(), ordered.Select(r => r.Name).ToList());
    }

    /// <summary>
    /// False in the udev rule's handler: a process that systemd-udevd runs may not leave a
    /// daemon behind (it is killed with the event, and udevd's sandbox denies it IP), so a
    /// change that needs dnsmasq (re)started is left to the next ordinary call.
    /// </summary>
    public bool MayStart { get; set; } = true;

    private void Converge(List<(string Mac, string Ip)> hosts, List<string> ifaces)
    {
        bool hostsChanged;
        try
        {
            hostsChanged = WriteIfChanged(HostsFile, DnsmasqConfig.Hosts(hosts));
        }
        catch (GntComException) when (hosts.Count == 0 && _cfg.Dhcp == DhcpProvider.Dnsmasq)
        {
            // No room to rewrite it (a full /run): with no guest left, no file is as good.
            DeleteFile(HostsFile);
            hostsChanged = true;
        }

        if (_cfg.Dhcp == DhcpProvider.External)
        {
            int ext = RunningPid();
            if (ext == 0)
                throw new GntComException("external dnsmasq (pid file " + PidFile + ") is not running: guests get no lease");
            if (hostsChanged) DnsmasqProcess.Reload(ext);
            if (hostsChanged && ReusedAddresses(hosts).Count > 0)
                Log.Warn("an IP was handed to a new MAC: restart the external dnsmasq if that guest gets no lease");
            RememberServed(hosts, fresh: false);
            ClearError();
            return;
        }

        int pid = RunningPid();
        if (hosts.Count == 0)
        {
            if (pid != 0)
            {
                DnsmasqProcess.Stop(pid);
                Log.Info("dnsmasq stopped (pid " + pid + "): no channel interface left");
            }
            StopExtras(0);
            DeleteFile(PidFile);
            _store.DhcpDir.Delete("served");
            ClearError();
            return;
        }

        DhcpMode mode = Mode;
        if (mode == DhcpMode.Wildcard) RefuseWildcardBesideAnotherServer(pid);
        ifaces.Sort((a, b) => _cfg.ChannelIndex(a).CompareTo(_cfg.ChannelIndex(b)));
        string conf = DnsmasqConfig.Render(_cfg, mode, ifaces, HostsFile, PidFile);
        var reused = pid != 0 ? ReusedAddresses(hosts) : new List<string>();
        if (!MayStart && (pid == 0 || reused.Count > 0 || ReadFile(ConfFile) != conf))
        {
            // The config stays as the running dnsmasq knows it: the next call sees the change.
            if (pid != 0 && hostsChanged) DnsmasqProcess.Reload(pid);
            Log.Info("dnsmasq " + (pid == 0 ? "start" : "restart") + " left to the next GntCom call (not from udev)");
            return;
        }
        bool confChanged = WriteIfChanged(ConfFile, conf);

        if (pid == 0)
        {
            StartFresh(hosts, "started");
            return;
        }
        if (confChanged || reused.Count > 0)
        {
            DnsmasqProcess.Stop(pid);
            StartFresh(hosts, "restarted (" + (confChanged ? "its configuration changed" : "forgetting the old lease of " + string.Join(", ", reused)) + ")");
            return;
        }
        if (hostsChanged)
        {
            DnsmasqProcess.Reload(pid);
            RememberServed(hosts, fresh: false);
        }
        ClearError();
    }
}
