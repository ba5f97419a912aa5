using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using GntCom.Config;
using GntCom.Logging;
using GntCom.State;

namespace GntCom.Dhcp;

/// <summary>
/// Keeps dnsmasq in step with the channel interfaces: the hosts file always equals the
/// recorded guests (so it never holds a duplicate or stale entry), and dnsmasq is started
/// with the first guest, reloaded (SIGHUP) on every change and stopped with the last.
/// It is restarted only when it must be: in bind-interfaces mode when the set of
/// interfaces changes, and in any mode when an IP it has leased to one MAC is handed to
/// another (dnsmasq would refuse the new guest until the old lease expired).
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

    public string ConfFile => _cfg.DhcpConfFile ?? Path.Combine(_store.DhcpDir, "dnsmasq.conf");
    public string HostsFile => _cfg.DhcpHostsFile ?? Path.Combine(_store.DhcpDir, "dnsmasq.hosts");
    public string PidFile => _cfg.DhcpPidFile ?? Path.Combine(_store.DhcpDir, "dnsmasq.pid");
    private string ModeFile => Path.Combine(_store.DhcpDir, "mode");
    private string ServedFile => Path.Combine(_store.DhcpDir, "served");

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
            string stamp = BinaryStamp();
            string? cached = AtomicFile.ReadOrNull(ModeFile);
            if (cached != null && cached.StartsWith(stamp + " ", StringComparison.Ordinal))
            {
                string m = cached[(stamp.Length + 1)..].Trim();
                if (m == "bind-dynamic") return (_mode = DhcpMode.BindDynamic).Value;
                if (m == "bind-interfaces") return (_mode = DhcpMode.BindInterfaces).Value;
            }
            bool dynamic = DnsmasqProcess.SupportsBindDynamic(_cfg.Dnsmasq);
            if (!dynamic) Log.Warn(_cfg.Dnsmasq + " does not support bind-dynamic: using bind-interfaces (dnsmasq restarts when guests come and go)");
            _mode = dynamic ? DhcpMode.BindDynamic : DhcpMode.BindInterfaces;
            TrySave(ModeFile, stamp + " " + ModeName(_mode.Value) + "\n");
            return _mode.Value;
        }
    }

    /// <summary>The mode if it is configured or already probed; null rather than running dnsmasq to find out.</summary>
    public DhcpMode? ModeIfKnown()
    {
        if (_mode != null) return _mode;
        if (_cfg.DhcpMode != DhcpMode.Auto) return _cfg.DhcpMode;
        string? cached = AtomicFile.ReadOrNull(ModeFile);
        if (cached == null || !cached.StartsWith(BinaryStamp() + " ", StringComparison.Ordinal)) return null;
        return Mode;
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

    /// <summary>Makes DHCP serve exactly <paramref name="records"/>.</summary>
    public void Apply(IReadOnlyCollection<ChannelRecord> records)
    {
        if (_cfg.Dhcp == DhcpProvider.Off) return;
        var ordered = records.OrderBy(r => _cfg.ChannelIndex(r.Name)).ToList();
        string hosts = DnsmasqConfig.Hosts(ordered);
        bool hostsChanged = WriteIfChanged(HostsFile, hosts);

        if (_cfg.Dhcp == DhcpProvider.External)
        {
            int ext = RunningPid();
            if (ext == 0) { Log.Warn("external dnsmasq (pid file " + PidFile + ") is not running: guests get no lease"); return; }
            if (hostsChanged) DnsmasqProcess.Reload(ext);
            if (hostsChanged && ReusedAddresses(ordered).Count > 0)
                Log.Warn("an IP was handed to a new MAC: restart the external dnsmasq if that guest gets no lease");
            RememberServed(ordered, fresh: false);
            return;
        }

        int pid = RunningPid();
        if (ordered.Count == 0)
        {
            if (pid != 0)
            {
                DnsmasqProcess.Stop(pid);
                Log.Info("dnsmasq stopped (pid " + pid + "): no channel interface left");
            }
            AtomicFile.Delete(PidFile);
            AtomicFile.Delete(ServedFile);
            return;
        }

        DhcpMode mode = Mode;
        if (mode == DhcpMode.Wildcard) RefuseWildcardBesideAnotherServer(pid);
        string conf = DnsmasqConfig.Render(_cfg, mode, ordered.Select(r => r.Name), HostsFile, PidFile);
        bool confChanged = WriteIfChanged(ConfFile, conf);

        if (pid == 0)
        {
            StartFresh(ordered, "started");
            return;
        }
        var reused = ReusedAddresses(ordered);
        if (confChanged || reused.Count > 0)
        {
            DnsmasqProcess.Stop(pid);
            StartFresh(ordered, "restarted (" + (confChanged ? "the set of interfaces changed" : "forgetting the old lease of " + string.Join(", ", reused)) + ")");
            return;
        }
        if (hostsChanged)
        {
            DnsmasqProcess.Reload(pid);
            RememberServed(ordered, fresh: false);
        }
    }

    /// <summary>How DHCP differs from what <paramref name="records"/> call for (gnt-com check).</summary>
    public List<string> Check(IReadOnlyCollection<ChannelRecord> records)
    {
        var problems = new List<string>();
        if (_cfg.Dhcp == DhcpProvider.Off) return problems;
        var ordered = records.OrderBy(r => _cfg.ChannelIndex(r.Name)).ToList();
        if (AtomicFile.ReadOrNull(HostsFile) != DnsmasqConfig.Hosts(ordered) && (ordered.Count > 0 || File.Exists(HostsFile)))
            problems.Add("dhcp: " + HostsFile + " is out of step with the channel interfaces");
        int pid = RunningPid();
        if (ordered.Count > 0 && pid == 0)
            problems.Add("dhcp: dnsmasq is not running (" + (_cfg.Dhcp == DhcpProvider.External ? "external, pid file " + PidFile : "private") + ")");
        if (ordered.Count == 0 && pid != 0 && _cfg.Dhcp == DhcpProvider.Dnsmasq)
            problems.Add("dhcp: dnsmasq (pid " + pid + ") runs with no channel interface left");
        return problems;
    }

    /// <summary>Stops the private dnsmasq (gnt-com dhcp stop); the next change starts it again.</summary>
    public int Stop()
    {
        if (_cfg.Dhcp != DhcpProvider.Dnsmasq) return 0;
        int pid = RunningPid();
        if (pid != 0) DnsmasqProcess.Stop(pid);
        AtomicFile.Delete(PidFile);
        AtomicFile.Delete(ServedFile);
        return pid;
    }

    /// <summary>Rewrites the files and sends SIGHUP even when nothing changed (gnt-com dhcp reload).</summary>
    public void Reload(IReadOnlyCollection<ChannelRecord> records)
    {
        Apply(records);
        int pid = RunningPid();
        if (pid != 0) DnsmasqProcess.Reload(pid);
    }

    private void StartFresh(List<ChannelRecord> records, string verb)
    {
        DnsmasqProcess.Start(_cfg.Dnsmasq, ConfFile);
        RememberServed(records, fresh: true);
        Log.Info("dnsmasq " + verb + " (pid " + RunningPid() + ", " + ModeName(Mode) + ", " + records.Count + " guest(s))");
    }

    private void RefuseWildcardBesideAnotherServer(int ourPid)
    {
        var ours = DhcpPortProbe.SocketsOf(ourPid);
        var others = DhcpPortProbe.ServerSocketInodes().Where(i => !ours.Contains(i)).ToList();
        if (others.Count > 0)
            throw new GntComException("dhcp_mode wildcard refused: another DHCP server is bound to UDP port 67 on this node; use bind-dynamic or bind-interfaces");
    }

    /// <summary>
    /// IPs that this dnsmasq has served to a MAC other than the one now approved for it:
    /// dnsmasq keeps such a lease in memory and would refuse the new guest.
    /// </summary>
    private List<string> ReusedAddresses(List<ChannelRecord> records)
    {
        var served = ReadServed();
        var reused = new List<string>();
        foreach (var r in records)
            if (served.TryGetValue(r.Ip.ToString(), out var mac) && mac != r.Mac) reused.Add(r.Ip.ToString());
        return reused;
    }

    private Dictionary<string, string> ReadServed()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        string? text = AtomicFile.ReadOrNull(ServedFile);
        if (text == null) return map;
        foreach (string line in text.Split('\n'))
        {
            string[] f = line.Split(' ');
            if (f.Length == 2) map[f[0]] = f[1];
        }
        return map;
    }

    /// <summary>Remembers which MAC each IP was approved for since dnsmasq started.</summary>
    private void RememberServed(List<ChannelRecord> records, bool fresh)
    {
        var map = fresh ? new Dictionary<string, string>(StringComparer.Ordinal) : ReadServed();
        foreach (var r in records) map[r.Ip.ToString()] = r.Mac;
        var lines = map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + " " + kv.Value + "\n");
        WriteIfChanged(ServedFile, string.Concat(lines));
    }

    private static bool WriteIfChanged(string path, string content)
    {
        if (AtomicFile.ReadOrNull(path) == content) return false;
        AtomicFile.Write(path, content);
        return true;
    }

    private static void TrySave(string path, string content)
    {
        try { AtomicFile.Write(path, content); }
        catch (GntComException) { }
    }

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
