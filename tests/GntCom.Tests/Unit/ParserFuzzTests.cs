using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using GntCom;
using GntCom.Channel;
using GntCom.Config;
using GntCom.Inputs;
using GntCom.Processes;
using GntCom.Journaling;
using GntCom.State;
using Xunit;

namespace GntCom.Tests.Unit;

/// <summary>
/// Every parser of outside input, fed a few thousand hostile variants of valid samples
/// (<see cref="Mutations"/>, seeded: a failure names the input and reproduces): it may
/// refuse with <see cref="InvalidInputException"/> (one line for the operator) or return
/// its defined "nothing" (null, empty, skipped lines), never anything else (an
/// IndexOutOfRange, Format or Overflow exception would be exit code 70 and a crash in the
/// middle of a hypervisor call). And the valid samples still parse to the right values.
/// </summary>
public sealed class ParserFuzzTests
{
    private const int Seed = 20240610;
    private static readonly GntComConfig Cfg = GntComConfig.FromText("");

    /// <summary>Runs <paramref name="parse"/> on every input; fails listing the inputs that threw anything but <see cref="InvalidInputException"/> (when allowed).</summary>
    private static int Survives(IEnumerable<string> inputs, Action<string> parse, bool mayRefuse = true)
    {
        var failures = new List<string>();
        int n = 0;
        foreach (string input in inputs)
        {
            n++;
            try
            {
                parse(input);
            }
            catch (InvalidInputException e) when (mayRefuse)
            {
                Assert.DoesNotContain('\n', e.Message); // one line, whatever the input held
            }
            catch (Exception e)
            {
                if (failures.Count < 5) failures.Add(Quote.Value(input, 200) + " (length " + input.Length + "): " + e.GetType().Name + ": " + e.Message);
                else failures.Add("");
            }
        }
        Assert.True(failures.Count == 0, failures.Count + " of " + n + " inputs broke the parser, e.g.:\n" + string.Join("\n", failures.Where(f => f.Length > 0)));
        Assert.True(n >= 2000, "only " + n + " inputs");
        return n;
    }

    private static IEnumerable<string> Hostile(params string[] samples) => new Mutations(Seed).Of(samples);

    [Fact]
    public void XenbusPath()
    {
        string[] valid = { "backend/vif/5/0", "/local/domain/0/backend/vif/12/3", "backend/vif/123456789/1" };
        foreach (string v in valid) Assert.True(GntCom.Inputs.XenbusPath.IsValid(v), v);
        Assert.Equal("backend/vif/5/0", GntCom.Inputs.XenbusPath.Parse("backend/vif/5/0", "vif", "vif5.0"));
        Assert.Equal("/local/domain/0/backend/vif/7/1", GntCom.Inputs.XenbusPath.Parse(null, "tap", "vif7.1-emu"));
        Assert.Equal(12, GntCom.Inputs.XenbusPath.DomainId("/local/domain/0/backend/vif/12/3"));
        foreach (string bad in new[] { "backend/vif/5/../../x", "backend/vif/05/0", "backend/vif/5/0/", "backend/vbd/5/0", "/local/domain/x/backend/vif/5/0" })
            Assert.False(GntCom.Inputs.XenbusPath.IsValid(bad), bad);

        Survives(Hostile(valid), s =>
        {
            if (GntCom.Inputs.XenbusPath.IsValid(s)) Assert.InRange(GntCom.Inputs.XenbusPath.DomainId(s), 0, 999_999_999);
            GntCom.Inputs.XenbusPath.Parse(s, "vif", "vif5.0");
        });
        // Without XENBUS_PATH an emulated tap's name is the path: hostile names too.
        Survives(Hostile("vif5.0-emu", "vif12.3-emu", "vif-emu"), s => GntCom.Inputs.XenbusPath.Parse(null, "tap", s));
    }

    [Fact]
    public void IpList()
    {
        var list = GntCom.Inputs.IpList.Parse("169.254.1.2 10.0.0.0/8  192.0.2.1", "ip");
        Assert.Equal(new[] { "169.254.1.2/32", "10.0.0.0/8", "192.0.2.1/32" }, list.Select(i => i.Address + "/" + i.PrefixLength));
        Assert.Empty(GntCom.Inputs.IpList.Parse(null, "ip"));
        Survives(Hostile("169.254.1.2 10.0.0.0/8 192.0.2.1", "10.9.0.5/32", "0.0.0.0/0"), s => GntCom.Inputs.IpList.Parse(s, "ip"));
    }

    [Fact]
    public void NicCall_of_qemu_and_Ganeti()
    {
        var qemu = new Dictionary<string, string> { ["IP"] = "169.254.1.2", ["MAC"] = "52:54:00:12:34:56", ["INSTANCE"] = "vm1.example.org" };
        var ganeti = new Dictionary<string, string>
        {
            ["INTERFACE"] = "gnt.com.3", ["MODE"] = "routed", ["IP"] = "169.254.1.2", ["MAC"] = "52:54:00:12:34:56",
            ["INSTANCE"] = "vm1.example.org", ["ACTION"] = "up", ["MIGRATION_PHASE"] = "post",
        };
        Assert.Equal(new NicCall(NicAction.Up, "tap0", false, IPAddress.Parse("169.254.1.2"), "52:54:00:12:34:56", "vm1.example.org"),
            NicCall.Parse(Cfg, qemu, "tap0", false));
        Assert.Equal(NicAction.Down, NicCall.Parse(Cfg, qemu, "tap0", true).Action);
        Assert.Equal(new NicCall(NicAction.Up, "gnt.com.3", true, IPAddress.Parse("169.254.1.2"), "52:54:00:12:34:56", "vm1.example.org"),
            NicCall.Parse(Cfg, ganeti, null, false));
        Assert.Equal(NicAction.Down, NicCall.Parse(Cfg, new Dictionary<string, string>(ganeti) { ["ACTION"] = "down" }, null, false).Action);
        Assert.Equal(NicAction.Ignore, NicCall.Parse(Cfg, new Dictionary<string, string>(ganeti) { ["MODE"] = "bridged" }, null, false).Action);
        Assert.Equal(NicAction.Ignore, NicCall.Parse(Cfg, new Dictionary<string, string>(ganeti) { ["INTERFACE"] = "tap0" }, null, false).Action);

        // Each variable (and qemu's IFNAME) in turn takes every hostile value; so does a missing one.
        int total = 0;
        foreach (var (env, ifname) in new[] { (qemu, (string?)"tap0"), (ganeti, null) })
        {
            foreach (string key in env.Keys.ToList())
            {
                total += Survives(Hostile(env[key]), v =>
                {
                    var e = new Dictionary<string, string>(env) { [key] = v };
                    NicCall.Parse(Cfg, e, ifname, false);
                    NicCall.Parse(Cfg, e, ifname, true);
                });
                var without = new Dictionary<string, string>(env);
                without.Remove(key);
                try { NicCall.Parse(Cfg, without, ifname, false); } catch (InvalidInputException) { }
            }
        }
        total += Survives(Hostile("tap0", "gnt.com.3"), v => NicCall.Parse(Cfg, qemu, v, false));
        Assert.True(total > 20_000);
    }

    private const string Locks =
        "1: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF\n" +
        "2: -> FLOCK  ADVISORY  WRITE 99 00:1a:5678 0 EOF\n" +
        "3: POSIX  ADVISORY  READ 55 fd:01:42 0 EOF\n" +
        "4: FLOCK  ADVISORY  WRITE 77 103:02:5678 0 EOF\n";

    [Fact]
    public void ProcLocks()
    {
        var locks = GntCom.Processes.ProcLocks.Parse(Locks);
        Assert.Equal(4, locks.Count);
        Assert.Equal(new FileLock("FLOCK", 99, 0, 0x1a, 5678, true), locks[1]);
        Assert.Equal(1234, GntCom.Processes.ProcLocks.Holder(locks, 0x1a, 5678));
        // 103:02 as a glibc st_dev (major 0x103, minor 2).
        Assert.Equal(77, GntCom.Processes.ProcLocks.Holder(locks, (0x103UL << 8) | 2, 5678));
        Assert.Equal(0, GntCom.Processes.ProcLocks.Holder(locks, 0x1a, 42));

        Survives(Hostile(Locks, Locks.Split('\n')[0], Locks.Split('\n')[1]), s =>
        {
            var parsed = GntCom.Processes.ProcLocks.Parse(s);
            Assert.All(parsed, l => Assert.True(l.Pid > 0));
            GntCom.Processes.ProcLocks.Holder(parsed, 0x1a, 5678);
        }, mayRefuse: false);
    }

    private const string Udp =
        "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n" +
        "  123: 00000000:0043 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 34567 2 0000000000000000 0\n" +
        "  124: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 34568 2 0000000000000000 0\n";

    [Fact]
    public void ProcNetUdp()
    {
        Assert.Equal(new ulong[] { 34567 }, GntCom.Processes.ProcNetUdp.BoundTo(Udp, 67));
        Assert.Equal(new ulong[] { 34568 }, GntCom.Processes.ProcNetUdp.BoundTo(Udp, 53));
        Assert.Empty(GntCom.Processes.ProcNetUdp.BoundTo(Udp, 68));
        Survives(Hostile(Udp), s => GntCom.Processes.ProcNetUdp.BoundTo(s, 67), mayRefuse: false);
    }

    [Fact]
    public void ProcStat()
    {
        const string stat = "1234 (gnt com (x) ) S 1 1230 1230 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 98765 1000000 100 18446744073709551615 0 0 0\n";
        Assert.Equal(new ProcessStat(1234, 'S', 1230, 98765), GntCom.Processes.ProcStat.Parse(stat));
        string self = System.IO.File.ReadAllText("/proc/self/stat");
        Assert.Equal(Environment.ProcessId, GntCom.Processes.ProcStat.Parse(self)?.Pid);
        Survives(Hostile(stat, self), s => GntCom.Processes.ProcStat.Parse(s), mayRefuse: false);
    }

    private static readonly string[] JournalLines =
    {
        "channel gnt.com.0 7 tap0 169.254.1.2 52:54:00:12:34:56 tap vm1.example.org",
        "channel gnt.com.1 8 vif5.0 169.254.1.3 00:16:3e:00:00:01 vif -",
        "teardown gnt.com.0", "routed 7 vif5.0", "claim ip 169.254.1.2 gnt.com.0", "claim mac 52:54:00:12:34:56 gnt.com.0",
        "rename 7 tap0 gnt.com.0 1", "linkup 7", "addr 7 169.254.169.254 32", "addr 7 fe80::a9fe:a9fe:0:1 64",
        "route 169.254.1.2 32 7 0", "route 10.0.0.0 8 7 2", "sysctl ipv4 7 rp_filter 0", "sysctl ipv6 7 disable_ipv6 1",
        "txcsum 7", "isolation", "isolation6 gnt.com.0", "dhcp 52:54:00:12:34:56 169.254.1.2 gnt.com.0", "hooks",
        "hookpg 4242 18446744073709551615", "record gnt.com.0", "reservation gnt.com.0 169.254.1.2 52:54:00:12:34:56 -",
        "note 7 gnt.com.0 vif5.0 backend/vif/5/0", "notenew 7", "origin tap0 1234 gnt.com.0", "mac 7 52:54:00:12:34:57",
    };

    [Fact]
    public void Journal_lines()
    {
        foreach (string line in JournalLines) Assert.Equal(line, JournalStep.Parse(line).ToString());
        var header = Assert.IsType<ChannelHeader>(JournalStep.Parse(JournalLines[0]));
        Assert.Equal(7, header.Index);
        Assert.Equal("vm1.example.org", header.Instance);
        Assert.Equal(18446744073709551615UL, Assert.IsType<HookGroupStep>(JournalStep.Parse("hookpg 4242 18446744073709551615")).StartTime);
        foreach (string bad in new[] { "rename 0 tap0 gnt.com.0 1", "linkup 2147483648", "linkup 07", "addr 7 1.2.3.4", "hooks x", "bogus" })
            Assert.Throws<InvalidInputException>(() => JournalStep.Parse(bad));

        // Whatever parses reads back the same, and a header describes what it heads.
        Survives(Hostile(JournalLines), s =>
        {
            var step = JournalStep.Parse(s);
            Assert.Equal(s, step.ToString());
            if (step is ChannelHeader h) h.ToRecord().Describe();
        });
    }

    private static readonly ChannelRecord SampleRecord = new()
    {
        Name = "gnt.com.3", Original = "vif5.0", Index = 7, Ip = IPAddress.Parse("169.254.1.2"), Mac = "52:54:00:12:34:56",
        Instance = "vm1.example.org", Kind = ChannelKind.Vif, Owner = 4242, Backend = "backend/vif/5/0",
        Ipv6 = IPAddress.Parse("fe80::a9fe:a9fe:0:3"),
    };

    [Fact]
    public void ChannelRecord_files()
    {
        string text = SampleRecord.Serialize();
        Assert.Equal(SampleRecord, ChannelRecord.Parse("gnt.com.3", text, Cfg));
        Assert.True(ChannelRecord.Parse("gnt.com.3", text.Replace("state=up", "state=pending"), Cfg).Pending);
        Survives(Hostile(text), s => ChannelRecord.Parse("gnt.com.3", s, Cfg));
        Survives(Hostile("gnt.com.3"), name => ChannelRecord.Parse(name, text, Cfg));
    }

    [Fact]
    public void Reservation_files()
    {
        var r = new Reservation("gnt.com.4", IPAddress.Parse("169.254.4.1"), "52:54:00:04:00:01", "a");
        Assert.Equal(r, Reservation.Parse("gnt.com.4", r.Serialize(), Cfg));
        Survives(Hostile(r.Serialize()), s => Reservation.Parse("gnt.com.4", s, Cfg));
        Survives(Hostile("gnt.com.4"), name => Reservation.Parse(name, r.Serialize(), Cfg));
    }

    [Fact]
    public void VifNote_files()
    {
        var n = new VifNote(7, "gnt.com.3", "vif5.0", "backend/vif/5/0");
        Assert.Equal(n, VifNote.Parse("7", n.Serialize()));
        Survives(Hostile(n.Serialize()), s => VifNote.Parse("7", s));
        Survives(Hostile("7"), name => VifNote.Parse(name, n.Serialize()));
    }

    [Fact]
    public void VifMemory_files()
    {
        var m = new VifMemory("gnt.com.3", IPAddress.Parse("169.254.4.5"), "52:54:00:04:00:05", "vm5.example.org", 1234);
        Assert.Equal(m, VifMemory.Parse("gnt.com.3", m.Serialize(), Cfg));
        Assert.False(m.IsExpired(1234 + 300));
        Assert.True(m.IsExpired(1234 + 301));
        Assert.True(m.IsExpired(1233)); // another boot's clock
        Survives(Hostile(m.Serialize()), s => VifMemory.Parse("gnt.com.3", s, Cfg));
        Survives(Hostile("gnt.com.3"), name => VifMemory.Parse(name, m.Serialize(), Cfg));
    }

    [Fact]
    public void Dnsmasq_options_of_another_dnsmasq()
    {
        var files = new Dictionary<string, string>
        {
            ["/etc/dnsmasq.conf"] = "# Debian's default\nconf-dir=/etc/dnsmasq.d/,*.conf\n",
            ["/etc/dnsmasq.d/lan.conf"] = "interface=br0\n",
            ["/etc/dnsmasq.d/lan.conf.bak"] = "interface=gnt.com.*\n",
            ["/var/run/ganeti/dnsmasq.conf"] = "bind-dynamic\ninterface=gnt.com.*\nexcept-interface=eth*\nexcept-interface=lo\n"
                + "dhcp-range=169.254.0.0,static,255.255.0.0\n",
            ["/x/all.conf"] = "bind-dynamic\nexcept-interface=lo\ndhcp-range=tag:x,169.254.0.10,169.254.0.99,255.255.0.0,12h\n",
            ["/x/off.conf"] = "except-interface=gnt.com.*\ndhcp-range=169.254.0.0,static,255.255.0.0\n",
            ["/x/lan.conf"] = "dhcp-range=10.0.0.10,10.0.0.99,12h\ndhcp-range=169.254.0.10,169.254.0.99\n",
        };
        string? Read(string path) => files.TryGetValue(path, out var t) ? t : null;
        IEnumerable<string> List(string dir) => files.Keys.Where(k => k.StartsWith(dir + "/", StringComparison.Ordinal)).Select(k => k[(dir.Length + 1)..]);
        bool Serves(params string[] argv) => DnsmasqOptions.Parse(argv, Read, List).ServesDhcpOn("gnt.com.4", "169.254.169.254");

        Assert.True(Serves("dnsmasq", "-C", "/var/run/ganeti/dnsmasq.conf"));
        Assert.True(Serves("dnsmasq", "--conf-file=/var/run/ganeti/dnsmasq.conf"));
        Assert.True(Serves("dnsmasq", "-C/x/all.conf"));
        Assert.False(Serves("dnsmasq", "-C", "/x/off.conf"));
        Assert.False(Serves("dnsmasq")); // Debian's default: only br0 (the .bak file is not read)
        const string range = "--dhcp-range=169.254.0.0,static,255.255.0.0";
        Assert.True(Serves("dnsmasq", "--interface=gnt.com.4", range, "-C", "/x/none.conf"));
        Assert.False(Serves("dnsmasq", "--interface=gnt.com.4", "-C", "/x/none.conf")); // no range: no DHCP
        Assert.False(Serves("dnsmasq", "-i", "virbr0", range, "--conf-file"));
        Assert.True(Serves("dnsmasq", "--listen-address", "169.254.169.254", "-F", "169.254.0.0,static,255.255.0.0", "-C", "/x/none.conf"));
        Assert.False(Serves("dnsmasq", "--no-dhcp-interface=gnt.com.*", "-C", "/x/all.conf"));
        // Ranges without a netmask of their own match an interface by its own /32: not the channel's.
        Assert.False(Serves("dnsmasq", "-C", "/x/lan.conf"));

        var argv = new[] { "dnsmasq", "-C", "/var/run/ganeti/dnsmasq.conf", "--interface=gnt.com.*", "-a", "10.0.0.1", range };
        Survives(Hostile(string.Join("\u0000", argv)), s => DnsmasqOptions.Parse(s.Split('\u0000'), Read, List).ServesDhcpOn("gnt.com.4", "169.254.169.254"), mayRefuse: false);
        Survives(Hostile(files["/var/run/ganeti/dnsmasq.conf"] + "conf-file=/x/all.conf\nconf-dir=/etc/dnsmasq.d\n"),
            s => DnsmasqOptions.Parse(new[] { "dnsmasq", "-C", "/fuzz" }, p => p == "/fuzz" ? s : Read(p), List).ServesDhcpOn("gnt.com.4", "169.254.169.254"),
            mayRefuse: false);
        // A config that includes itself ends (dnsmasq's own limit is its stack; ours is 64 files).
        Assert.True(DnsmasqOptions.Parse(new[] { "dnsmasq", "-C", "/loop" }, p => p == "/loop" ? "conf-file=/loop\ndhcp-range=169.254.0.0,static,255.255.0.0\n" : null, List)
            .ServesDhcpOn("gnt.com.4", "169.254.169.254"));
    }

    [Fact]
    public void Ganeti_hosts_file()
    {
        const string hosts = "52:54:00:12:34:56,169.254.1.2\n  AA:BB:CC:DD:EE:01,169.254.1.3 \nnot a line\n52:54:00:12:34:57,169.254.1.4,extra\n";
        var map = HostsFile.ByIp(hosts);
        Assert.Equal("52:54:00:12:34:56", map["169.254.1.2"]);
        Assert.Equal("aa:bb:cc:dd:ee:01", map["169.254.1.3"]);
        Assert.Equal(2, map.Count);
        Assert.Empty(HostsFile.ByIp(null));
        Survives(Hostile(hosts), s =>
        {
            foreach (var (ip, mac) in HostsFile.ByIp(s))
            {
                Assert.NotNull(Ipv4.TryParse(ip));
                Assert.Equal(mac, MacAddress.TryNormalize(mac));
            }
        }, mayRefuse: false);
    }

    private const string Config =
        "# every key\n" +
        "interface_prefix = gc.\n" +
        "address = 10.200.255.254\n" +
        "network = 10.200.0.0/16\n" +
        "state_dir = /run/x-state\n" +
        "hooks_dir = /etc/x-hooks/\n" +
        "hook_timeout = 7\n" +
        "lock_timeout = 9\n" +
        "syslog_socket = off\n" +
        "xen_channel = yes\n" +
        "dhcp = external\n" +
        "dhcp_mode = bind-interfaces\n" +
        "dhcp_required = yes\n" +
        "dnsmasq = /opt/dnsmasq\n" +
        "dhcp_hosts_file = /run/h\n" +
        "dhcp_conf_file = /run/c\n" +
        "dhcp_pid_file = /run/p\n" +
        "dhcp_except_interfaces = lo, eth* *\n" +
        "dhcp_lease_time = 12h\n" +
        "ganeti_dir = /srv/ganeti-etc\n" +
        "ganeti_run_dir = /srv/ganeti-run\n";

    [Fact]
    public void GntComConfig_text()
    {
        var c = GntComConfig.FromText(Config);
        Assert.Equal("gc.", c.InterfacePrefix);
        Assert.Equal("10.200.255.254", c.Address.ToString());
        Assert.Equal("10.200.0.0/16", c.Network.ToString());
        Assert.Equal("/run/x-state", c.StateDir);
        Assert.Equal("/etc/x-hooks", c.HooksDir);
        Assert.Equal(TimeSpan.FromSeconds(7), c.HookTimeout);
        Assert.Equal(TimeSpan.FromSeconds(9), c.LockTimeout);
        Assert.Equal("", c.SyslogSocket);
        Assert.True(c.XenChannel);
        Assert.Equal(DhcpProvider.External, c.Dhcp);
        Assert.Equal(DhcpMode.BindInterfaces, c.DhcpMode);
        Assert.True(c.DhcpRequired);
        Assert.Equal("/opt/dnsmasq", c.Dnsmasq);
        Assert.Equal(("/run/h", "/run/c", "/run/p"), (c.DhcpHostsFile, c.DhcpConfFile, c.DhcpPidFile));
        Assert.Equal(new[] { "lo", "eth*", "*" }, c.DhcpExceptInterfaces);
        Assert.Equal("12h", c.DhcpLeaseTime);
        Assert.Equal("/srv/ganeti-etc", c.GanetiDir);
        Assert.Equal("/srv/ganeti-run", c.GanetiRunDir);
        Assert.Equal(GntComConfig.Keys.Count, Config.Split('\n').Count(l => l.Contains(" = ")));

        Survives(Hostile(Config, "hook_timeout = 3600\n", "dhcp_lease_time = 2m\n", "interface_prefix = abcdefghijklm.\n"), s =>
        {
            var cfg = GntComConfig.FromText(s);
            // What the rest of GntCom derives from a config it accepted must work too.
            Assert.True(cfg.MaxIndex >= 9);
            Assert.Equal(0, cfg.ChannelIndex(cfg.ChannelName(0)));
            Assert.Equal(cfg.MaxIndex, cfg.ChannelIndex(cfg.ChannelName(cfg.MaxIndex)));
            Names.Interface(cfg.ChannelName(cfg.MaxIndex), "name");
        });
    }
}
