using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using GntCom.Inputs;

namespace GntCom.Config;

/// <summary>How GntCom serves DHCP on the channel.</summary>
public enum DhcpProvider
{
    /// <summary>A private dnsmasq that GntCom starts, reloads and stops.</summary>
    Dnsmasq,
    /// <summary>A dnsmasq run by someone else (systemd): GntCom writes the hosts file and signals its pid file.</summary>
    External,
    /// <summary>No DHCP: the guest is configured by other means.</summary>
    Off,
}

/// <summary>dnsmasq's interface binding mode (see the design text).</summary>
public enum DhcpMode { Auto, BindDynamic, BindInterfaces, Wildcard }

/// <summary>
/// GntCom's settings. Every default works with no file at all; a file
/// (default /etc/gnt-com/gnt-com.conf, else --config or GNT_COM_CONF) holds
/// `key = value` lines and `#` comments. Unknown keys and bad values are errors.
/// </summary>
public sealed class GntComConfig
{
    public const string DefaultPath = "/etc/gnt-com/gnt-com.conf";
    public const string EnvironmentVariable = "GNT_COM_CONF";

    public string InterfacePrefix { get; private set; } = "gnt.com.";
    public IPAddress Address { get; private set; } = IPAddress.Parse("169.254.169.254");
    public Ipv4Network Network { get; private set; } = new(IPAddress.Parse("169.254.0.0"), 16);
    public string StateDir { get; private set; } = "/run/gnt-com";
    public string HooksDir { get; private set; } = "/etc/gnt-com";
    /// <summary>How long a hook may run (10 s: below lock_timeout, so one slow hook does not fail the calls queued behind it).</summary>
    public TimeSpan HookTimeout { get; private set; } = TimeSpan.FromSeconds(10);
    /// <summary>How long a call waits for the host-wide lock before it fails naming the holder.</summary>
    public TimeSpan LockTimeout { get; private set; } = TimeSpan.FromSeconds(30);
    public string SyslogSocket { get; private set; } = "/dev/log";
    public bool XenChannel { get; private set; }
    /// <summary>Ganeti's configuration directory, where `gnt-com ganeti enable` puts the shims.</summary>
    public string GanetiDir { get; private set; } = "/etc/ganeti";
    /// <summary>Ganeti's run directory (RUN_DIR): its dnsmasq files, and the KVM hypervisor's NIC files (kvm-hypervisor/nic/INSTANCE/N).</summary>
    public string GanetiRunDir { get; private set; } = "/var/run/ganeti";

    public DhcpProvider Dhcp { get; private set; } = DhcpProvider.Dnsmasq;
    public DhcpMode DhcpMode { get; private set; } = DhcpMode.Auto;
    public string Dnsmasq { get; private set; } = "/usr/sbin/dnsmasq";
    public string? DhcpHostsFile { get; private set; }
    public string? DhcpConfFile { get; private set; }
    public string? DhcpPidFile { get; private set; }
    public IReadOnlyList<string> DhcpExceptInterfaces { get; private set; } = new[] { "lo", "eth*" };
    public string DhcpLeaseTime { get; private set; } = "infinite";
    /// <summary>Whether a DHCP failure (dnsmasq cannot start, mode refused) fails a guest's set-up.</summary>
    public bool DhcpRequired { get; private set; }

    /// <summary>Every key a config file may set, in the order the documentation lists them.</summary>
    public static IReadOnlyList<string> Keys { get; } = new[]
    {
        "interface_prefix", "address", "network", "state_dir", "hooks_dir", "hook_timeout", "lock_timeout",
        "syslog_socket", "xen_channel", "dhcp", "dhcp_mode", "dhcp_required", "dnsmasq", "dhcp_hosts_file",
        "dhcp_conf_file", "dhcp_pid_file", "dhcp_except_interfaces", "dhcp_lease_time", "ganeti_dir", "ganeti_run_dir",
    };

    /// <summary>Where the settings came from ("defaults" when no file was read).</summary>
    public string Source { get; private set; } = "defaults";

    /// <summary>
    /// The highest N a name prefix+N can carry within IFNAMSIZ, and at most nine digits: what
    /// <see cref="ChannelIndex"/> reads back (a tenth digit could overflow an int).
    /// </summary>
    public int MaxIndex => (int)Math.Min(999_999_999, Math.Pow(10, Names.IfNameMax - InterfacePrefix.Length) - 1);

    /// <summary>
    /// Loads the settings: <paramref name="explicitPath"/> (from --config), else $GNT_COM_CONF,
    /// else the default file if it exists, else the defaults.
    /// </summary>
    public static GntComConfig Load(string? explicitPath = null)
    {
        string? path = explicitPath;
        bool required = path != null;
        if (path == null)
        {
            path = Environment.GetEnvironmentVariable(EnvironmentVariable);
            required = !string.IsNullOrEmpty(path);
            if (!required) path = DefaultPath;
        }
        var cfg = new GntComConfig();
        string? text;
        try
        {
            text = Interop.Libc.ReadTextFile(path!);
        }
        catch (GntComException e)
        {
            throw new InvalidInputException("config " + Quote.Value(path) + ": " + e.Message);
        }
        if (text == null)
        {
            if (!required) return cfg;
            throw new InvalidInputException("config " + Quote.Value(path) + ": cannot read: no such file");
        }
        // It names what runs as root (dnsmasq, hooks_dir) and where root writes (state_dir).
        if (FileTrust.FileRefusal("config", path!) is string why)
            throw new InvalidInputException(why + ": refusing to use it");
        cfg.Parse(text, path!);
        cfg.Source = path!;
        return cfg;
    }

    /// <summary>Parses config text; <paramref name="origin"/> names it in errors.</summary>
    public static GntComConfig FromText(string text, string origin = "config")
    {
        var cfg = new GntComConfig();
        cfg.Parse(text, origin);
        cfg.Source = origin;
        return cfg;
    }

    private void Parse(string text, string origin)
    {
        int lineNo = 0;
        foreach (string raw in text.Split('\n'))
        {
            lineNo++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            int eq = line.IndexOf('=');
            string where = origin + ":" + lineNo;
            if (eq <= 0) throw new InvalidInputException(where + ": expected 'key = value', got " + Quote.Value(line));
            string key = line[..eq].Trim();
            string value = line[(eq + 1)..].Trim();
            try
            {
                Set(key, value);
            }
            catch (InvalidInputException e)
            {
                throw new InvalidInputException(where + ": " + e.Message);
            }
        }
        if (InterfacePrefix.Length > Names.IfNameMax - 1)
            throw new InvalidInputException(origin + ": interface_prefix " + Quote.Value(InterfacePrefix) + " leaves no room for a number in 15 bytes");
    }

    private void Set(string key, string value)
    {
        switch (key)
        {
            case "interface_prefix":
                if (value.Length == 0 || char.IsAsciiDigit(value[^1]))
                    throw new InvalidInputException("interface_prefix " + Quote.Value(value) + " must be non-empty and must not end in a digit");
                InterfacePrefix = Names.Interface(value, "interface_prefix");
                break;
            case "address": Address = Ipv4.Parse(value, "address"); break;
            case "network": Network = Ipv4Network.Parse(value, "network"); break;
            case "state_dir": StateDir = AbsolutePath(value, key); break;
            case "hooks_dir": HooksDir = AbsolutePath(value, key); break;
            case "hook_timeout": HookTimeout = Seconds(value, key); break;
            case "lock_timeout": LockTimeout = Seconds(value, key); break;
            case "dhcp_required": DhcpRequired = Bool(value, key); break;
            case "syslog_socket": SyslogSocket = value.Length == 0 || value == "off" ? "" : AbsolutePath(value, key); break;
            case "xen_channel": XenChannel = Bool(value, key); break;
            case "dhcp":
                Dhcp = value switch
                {
                    "dnsmasq" => DhcpProvider.Dnsmasq,
                    "external" => DhcpProvider.External,
                    "off" => DhcpProvider.Off,
                    _ => throw new InvalidInputException("dhcp " + Quote.Value(value) + " must be dnsmasq, external or off"),
                };
                break;
            case "dhcp_mode":
                DhcpMode = value switch
                {
                    "auto" => DhcpMode.Auto,
                    "bind-dynamic" => DhcpMode.BindDynamic,
                    "bind-interfaces" => DhcpMode.BindInterfaces,
                    "wildcard" => DhcpMode.Wildcard,
                    _ => throw new InvalidInputException("dhcp_mode " + Quote.Value(value) + " must be auto, bind-dynamic, bind-interfaces or wildcard"),
                };
                break;
            case "dnsmasq": Dnsmasq = AbsolutePath(value, key); break;
            case "ganeti_dir": GanetiDir = AbsolutePath(value, key); break;
            case "ganeti_run_dir": GanetiRunDir = AbsolutePath(value, key); break;
            case "dhcp_hosts_file": DhcpHostsFile = AbsolutePath(value, key); break;
            case "dhcp_conf_file": DhcpConfFile = AbsolutePath(value, key); break;
            case "dhcp_pid_file": DhcpPidFile = AbsolutePath(value, key); break;
            case "dhcp_except_interfaces":
                var list = new List<string>();
                foreach (string item in value.Split(new[] { ' ', ',' }, StringSplitOptions.RemoveEmptyEntries))
                    list.Add(InterfacePattern(item));
                DhcpExceptInterfaces = list;
                break;
            case "dhcp_lease_time":
                if (!(value == "infinite" || IsLeaseTime(value)))
                    throw new InvalidInputException("dhcp_lease_time " + Quote.Value(value) + " must be 'infinite' or a number with an optional m/h/d/w suffix (at least 2m)");
                DhcpLeaseTime = value;
                break;
            default:
                throw new InvalidInputException("unknown setting " + Quote.Value(key));
        }
    }

    private static TimeSpan Seconds(string value, string key)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int secs) || secs < 1 || secs > 3600)
            throw new InvalidInputException(key + " " + Quote.Value(value) + " must be whole seconds from 1 to 3600");
        return TimeSpan.FromSeconds(secs);
    }

    private static bool Bool(string value, string key) => value switch
    {
        "yes" or "true" or "on" or "1" => true,
        "no" or "false" or "off" or "0" => false,
        _ => throw new InvalidInputException(key + " " + Quote.Value(value) + " must be yes or no"),
    };

    /// <summary>An absolute path made of safe characters (it ends up in dnsmasq's config).</summary>
    public static string AbsolutePath(string value, string key)
    {
        if (value.Length == 0 || value[0] != '/' || value.Length > 4096)
            throw new InvalidInputException(key + " " + Quote.Value(value) + " must be an absolute path");
        foreach (char c in value)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or '@' or ':'))
                throw new InvalidInputException(key + " " + Quote.Value(value) + " must be an absolute path of letters, digits and /._-+@:");
        foreach (string part in value.Split('/'))
            if (part == "..")
                throw new InvalidInputException(key + " " + Quote.Value(value) + " must not contain '..'");
        return value.Length > 1 ? value.TrimEnd('/') : value;
    }

    private static string InterfacePattern(string item)
    {
        string name = item.EndsWith('*') ? item[..^1] : item;
        if (name.Length > 0) Names.Interface(name, "dhcp_except_interfaces entry");
        else if (item != "*") throw new InvalidInputException("dhcp_except_interfaces entry " + Quote.Value(item) + " is not an interface name or pattern");
        return item;
    }

    private static bool IsLeaseTime(string v)
    {
        if (v.Length == 0) return false;
        string digits = "mhdw".Contains(v[^1]) ? v[..^1] : v;
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n <= 0) return false;
        long seconds = v[^1] switch { 'm' => n * 60, 'h' => n * 3600, 'd' => n * 86400, 'w' => n * 604800, _ => n };
        return seconds >= 120;
    }

    /// <summary>True when <paramref name="name"/> is prefix+N exactly (gnt.com.1 is not gnt.com.10's prefix).</summary>
    public bool IsChannelName(string name) => ChannelIndex(name) >= 0;

    /// <summary>N of a channel name prefix+N (digits only, no leading zeros), else -1.</summary>
    public int ChannelIndex(string name)
    {
        if (!name.StartsWith(InterfacePrefix, StringComparison.Ordinal)) return -1;
        string digits = name[InterfacePrefix.Length..];
        if (digits.Length == 0 || digits.Length > 9 || (digits.Length > 1 && digits[0] == '0')) return -1;
        int n = 0;
        foreach (char c in digits)
        {
            if (!char.IsAsciiDigit(c)) return -1;
            n = n * 10 + (c - '0');
        }
        return n <= MaxIndex ? n : -1;
    }

    public string ChannelName(int index) => InterfacePrefix + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Checks a guest's IP: inside the channel network, not the channel address, not the
    /// network or broadcast address.
    /// </summary>
    public IPAddress GuestIp(string? text, string what)
    {
        var ip = Ipv4.Parse(text, what);
        if (!Network.Contains(ip))
            throw new InvalidInputException(what + " " + Quote.Value(text) + " is outside the channel network " + Network);
        if (ip.Equals(Address))
            throw new InvalidInputException(what + " " + Quote.Value(text) + " is the host's channel address itself");
        if (Network.PrefixLength < 31 && (ip.Equals(Network.Network) || ip.Equals(Network.Broadcast)))
            throw new InvalidInputException(what + " " + Quote.Value(text) + " is the network or broadcast address of " + Network);
        return ip;
    }
}
