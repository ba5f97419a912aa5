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
public sealed class DhcpManager
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

    /// <summary>How DHCP differs from what <paramref name="records"/> call for (gnt-com check).</summary>
    public List<string> Check(IReadOnlyCollection<ChannelRecord> records)
    {
        var problems = new List<string>();
        if (_cfg.Dhcp == DhcpProvider.Off) return problems;
        var want = records.Select(r => r.Mac + "," + r.Ip).ToHashSet(StringComparer.Ordinal);
        var have = ReadHosts().Select(l => l.Mac + "," + l.Ip).ToHashSet(StringComparer.Ordinal);
        if (!want.SetEquals(have))
            problems.Add("dhcp: " + HostsFile + " is out of step with the channel interfaces ("
                + want.Except(have).Count() + " missing, " + have.Except(want).Count() + " stale)");
        int pid = RunningPid();
        if (records.Count > 0 && pid == 0)
            problems.Add("dhcp: dnsmasq is not running (" + (_cfg.Dhcp == DhcpProvider.External ? "external, pid file " + PidFile : "private") + ")");
        if (records.Count == 0 && pid != 0 && _cfg.Dhcp == DhcpProvider.Dnsmasq)
            problems.Add("dhcp: dnsmasq (pid " + pid + ") runs with no channel interface left");
        if (_cfg.Dhcp == DhcpProvider.Dnsmasq)
            foreach (int extra in DnsmasqProcess.Running(ConfFile).Where(p => p != pid))
                problems.Add("dhcp: an extra dnsmasq runs GntCom's config (pid " + extra + ", left by a killed call): 'gnt-com repair' stops it");
        if (LastError is string error) problems.Add("dhcp: " + error);
        return problems;
    }

    /// <summary>Other DHCP servers that guests on the channel interfaces <paramref name="channels"/> reach (check, status).</summary>
    public List<RivalServer> Rivals(NetlinkHandle nl, IReadOnlyList<string> channels)
    {
        if (_cfg.Dhcp == DhcpProvider.Off) return new List<RivalServer>();
        var ours = ProcFd.Sockets(RunningPid());
        if (_cfg.Dhcp == DhcpProvider.Dnsmasq)
            foreach (int extra in DnsmasqProcess.Running(ConfFile)) ours.UnionWith(ProcFd.Sockets(extra)); // check names them
        var others = RivalServers.Reaching(_cfg, nl).Where(s => !ours.Contains(s.Inode)).ToList();
        return RivalServers.Owners(_cfg, nl, others, channels);
    }

    /// <summary>
    /// After a set-up: logs each other DHCP server the guests reach, once. The port-67
    /// sockets seen last time are kept in STATE/dhcp/sockets: while they stay the same (the
    /// usual case: only GntCom's dnsmasq), this costs one sock_diag dump and one small read.
    /// </summary>
    public void WarnRivals(NetlinkHandle nl, string channel)
    {
        if (_cfg.Dhcp == DhcpProvider.Off) return;
        try
        {
            var reaching = RivalServers.Reaching(_cfg, nl);
            string seen = string.Join(" ", reaching.Select(s => s.Inode).OrderBy(i => i));
            string? known = _store.DhcpDir.Read("sockets")?.Trim();
            if (known == seen) return;
            var knownSet = (known ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            var ours = ProcFd.Sockets(RunningPid());
            var fresh = reaching.Where(s => !ours.Contains(s.Inode)
                && !knownSet.Contains(s.Inode.ToString(CultureInfo.InvariantCulture))).ToList();
            foreach (var rival in RivalServers.Owners(_cfg, nl, fresh, new[] { channel }))
                if (rival.Answers) Log.Warn("dhcp: " + rival.Describe()); else Log.Info("dhcp: " + rival.Describe());
            _store.WriteHousekeeping("sockets", seen + "\n", _store.DhcpDir);
        }
        catch (GntComException)
        {
            // (no udp_diag in this kernel, say): `gnt-com check` says so; an up stays quiet.
        }
    }

    /// <summary>The number of MAC,IP pairs being served.</summary>
    public int LeaseCount() => _cfg.Dhcp == DhcpProvider.Off ? 0 : ReadHosts().Count;

    /// <summary>Stops the private dnsmasq (gnt-com dhcp stop); the next change starts it again.</summary>
    public int Stop()
    {
        if (_cfg.Dhcp != DhcpProvider.Dnsmasq) return 0;
        int pid = RunningPid();
        if (pid != 0) DnsmasqProcess.Stop(pid);
        DeleteFile(PidFile);
        _store.DhcpDir.Delete("served");
        return pid;
    }

    /// <summary>Rewrites the files and sends SIGHUP even when nothing changed (gnt-com dhcp reload).</summary>
    public void Reload(IReadOnlyCollection<ChannelRecord> records)
    {
        Sync(records);
        int pid = RunningPid();
        if (pid != 0) DnsmasqProcess.Reload(pid);
    }

    // ---- helpers --------------------------------------------------------------------

    /// <summary>
    /// Stops every dnsmasq running GntCom's config but <paramref name="keep"/>: one a killed
    /// call started (its pid file lost) would answer beside the one the pid file names.
    /// Returns the pids stopped.
    /// </summary>
    public List<int> StopExtras(int keep)
    {
        var stopped = new List<int>();
        if (_cfg.Dhcp != DhcpProvider.Dnsmasq) return stopped;
        foreach (int extra in DnsmasqProcess.Running(ConfFile))
        {
            if (extra == keep) continue;
            DnsmasqProcess.Stop(extra);
            Log.Warn("stopped an extra dnsmasq running " + ConfFile + " (pid " + extra + ", left by a killed call)");
            stopped.Add(extra);
        }
        return stopped;
    }

    private void StartFresh(List<(string Mac, string Ip)> hosts, string verb)
    {
        StopExtras(0);
        DnsmasqProcess.Start(_cfg.Dnsmasq, ConfFile);
        RememberServed(hosts, fresh: true);
        ClearError();
        Log.Info("dnsmasq " + verb + " (pid " + RunningPid() + ", " + ModeName(Mode) + ", " + hosts.Count + " guest(s))");
    }

    private void ClearError() => _store.DhcpDir.Delete("error");

    private void RefuseWildcardBesideAnotherServer(int ourPid)
    {
        var ours = ProcFd.Sockets(ourPid);
        if (ProcNetUdp.BoundTo(67).Any(i => !ours.Contains(i)))
            throw new GntComException("dhcp_mode wildcard refused: another DHCP server is bound to UDP port 67 on this node; use bind-dynamic or bind-interfaces");
    }

    /// <summary>
    /// IPs that this dnsmasq may have leased to a MAC other than the one now approved for it:
    /// dnsmasq keeps such a lease in memory and would refuse the new guest.
    /// </summary>
    private List<string> ReusedAddresses(List<(string Mac, string Ip)> hosts)
    {
        var served = ReadServed();
        var reused = new List<string>();
        foreach (var (mac, ip) in hosts)
            if (served.TryGetValue(ip, out var had) && had != mac) reused.Add(ip);
        return reused;
    }

    private Dictionary<string, string> ReadServed()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        string? text = _store.DhcpDir.Read("served");
        if (text == null) return map;
        foreach (string line in text.Split('\n'))
        {
            string[] f = line.Split(' ');
            if (f.Length == 2) map[f[0]] = f[1];
        }
        return map;
    }

    /// <summary>Remembers which MAC each IP was approved for since dnsmasq started.</summary>
    private void RememberServed(List<(string Mac, string Ip)> hosts, bool fresh)
    {
        var map = fresh ? new Dictionary<string, string>(StringComparer.Ordinal) : ReadServed();
        bool changed = fresh;
        foreach (var (mac, ip) in hosts)
        {
            if (map.TryGetValue(ip, out var had) && had == mac) continue;
            map[ip] = mac;
            changed = true;
        }
        if (!changed) return;
        var sb = new System.Text.StringBuilder();
        foreach (var (ip, mac) in map) sb.Append(ip).Append(' ').Append(mac).Append('\n');
        // Unwritten (a full /run), the next hand-over of an IP to a new MAC may miss a restart.
        _store.WriteHousekeeping("served", sb.ToString(), _store.DhcpDir);
    }

    /// <summary>The hosts file's MAC,IP pairs (lines that are not such a pair are dropped).</summary>
    private List<(string Mac, string Ip)> ReadHosts() => Inputs.HostsFile.Parse(ReadFile(HostsFile));

    /// <summary>The interface= lines of our own config (bind-interfaces lists each channel interface).</summary>
    private List<string> InterfacesInConf()
    {
        var list = new List<string>();
        string? text = ReadFile(ConfFile);
        if (text == null) return list;
        foreach (string line in text.Split('\n'))
            if (line.StartsWith("interface=", StringComparison.Ordinal) && _cfg.IsChannelName(line[10..])) list.Add(line[10..]);
        return list;
    }

    /// <summary>Files that may live outside the state directory (dhcp_*_file settings) are read and replaced by path, never through a symlink.</summary>
    private bool WriteIfChanged(string path, string content)
    {
        if (ReadFile(path) == content) return false;
        var (dir, name) = Split(path);
        using var d = dir;
        d.Write(name, content);
        return true;
    }

    private static string? ReadFile(string path)
    {
        try
        {
            var (dir, name) = Split(path);
            using var d = dir;
            return d.Read(name);
        }
        catch (GntComException)
        {
            return null;
        }
    }

    private static void DeleteFile(string path)
    {
        var (dir, name) = Split(path);
        using var d = dir;
        d.Delete(name);
    }

    private static (StateDirectory Dir, string Name) Split(string path) =>
        (StateDirectory.Open(Path.GetDirectoryName(path) ?? "/", create: true, "DHCP directory"), Path.GetFileName(path));

    private string BinaryStamp()
    {
        try
        {
            var info = new FileInfo(_cfg.Dnsmasq);
            return _cfg.Dnsmasq + "@" + info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return _cfg.Dnsmasq;
        }
    }
}
