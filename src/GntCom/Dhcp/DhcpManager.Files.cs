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

/// <summary>dnsmasq's process and files: extra ones stopped, a fresh start, what it served, the hosts and config files.</summary>
public sealed partial class DhcpManager
{
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
