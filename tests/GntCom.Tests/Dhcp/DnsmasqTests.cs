using System;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Dhcp;

/// <summary>The real dnsmasq kept in step by GntCom, asked by the real busybox udhcpc in guest namespaces.</summary>
public sealed class DnsmasqTests
{
    private const string Dnsmasq = "/usr/sbin/dnsmasq";

    [HostFact(Dnsmasq, "busybox")]
    public void Each_guest_gets_exactly_its_approved_IP_and_no_router_or_DNS()
    {
        using var lab = new DhcpLab();
        var guests = Enumerable.Range(1, 3).Select(i => lab.AddGuest("52:54:00:0d:00:0" + i)).ToList();
        for (int i = 0; i < 3; i++) Assert.Equal(0, lab.Up(guests[i], "169.254.10." + (i + 1)).Code);

        for (int i = 0; i < 3; i++)
        {
            var lease = lab.MustLease(guests[i]);
            Assert.Equal("169.254.10." + (i + 1), lease["ip"]);
            Assert.Equal("255.255.0.0", lease["subnet"]);
            Assert.Equal("169.254.169.254", lease["serverid"]);
            Assert.Equal("", lease["router"]);
            Assert.Equal("", lease["dns"]);
        }
        Assert.Equal("52:54:00:0d:00:01,169.254.10.1\n52:54:00:0d:00:02,169.254.10.2\n52:54:00:0d:00:03,169.254.10.3\n", lab.HostsFile);
    }

    [HostFact(Dnsmasq, "busybox")]
    public void A_guest_with_an_unapproved_MAC_gets_no_lease()
    {
        using var lab = new DhcpLab();
        var good = lab.AddGuest("52:54:00:0d:01:01");
        Assert.Equal(0, lab.Up(good, "169.254.11.1").Code);
        var rogue = lab.AddGuest("52:54:00:0d:01:99");
        // The rogue's interface is a channel interface too, approved for another MAC.
        Assert.Equal(0, lab.Host.Ifup(rogue.HostEnd, "169.254.11.2", "52:54:00:0d:01:02").Code);

        Assert.Null(lab.Lease(rogue.Ns));
        Assert.Equal("169.254.11.1", lab.MustLease(good)["ip"]);
    }

    [HostFact(Dnsmasq, "busybox")]
    public void Guests_coming_and_going_never_restart_dnsmasq_in_bind_dynamic_mode()
    {
        using var lab = new DhcpLab();
        var g = Enumerable.Range(1, 3).Select(i => lab.AddGuest("52:54:00:0d:02:0" + i)).ToList();
        for (int i = 0; i < 3; i++) Assert.Equal(0, lab.Up(g[i], "169.254.12." + (i + 1)).Code);
        int pid = lab.DnsmasqPid();
        Assert.NotEqual(0, pid);
        Assert.Contains("mode bind-dynamic", lab.DhcpStatus());

        Assert.Equal(0, lab.Host.Ifdown("gnt.com.1").Code);
        Assert.Equal("52:54:00:0d:02:01,169.254.12.1\n52:54:00:0d:02:03,169.254.12.3\n", lab.HostsFile);
        Assert.Equal(pid, lab.DnsmasqPid());
        Assert.Equal("169.254.12.1", lab.MustLease(g[0])["ip"]);
        Assert.Equal("169.254.12.3", lab.MustLease(g[2])["ip"]);
        Assert.Null(lab.Lease(g[1].Ns, tries: 2));

        // The guest comes back (the down gave its interface its own name back): it gets its
        // lease, the others keep theirs.
        Assert.True(lab.Host.Ns.LinkExists(g[1].HostEnd));
        Assert.Equal(0, lab.Up(g[1], "169.254.12.2").Code);
        Assert.Equal(pid, lab.DnsmasqPid());
        Assert.Equal("169.254.12.2", lab.MustLease(g[1])["ip"]);
        Assert.Equal("169.254.12.1", lab.MustLease(g[0])["ip"]);
        Assert.Equal("169.254.12.3", lab.MustLease(g[2])["ip"]);
        Assert.Equal(3, lab.HostsFile.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [HostFact(Dnsmasq, "busybox")]
    public void An_IP_recreated_with_a_new_MAC_still_gets_its_lease()
    {
        using var lab = new DhcpLab();
        var old = lab.AddGuest("52:54:00:0d:03:01");
        var other = lab.AddGuest("52:54:00:0d:03:02");
        Assert.Equal(0, lab.Up(old, "169.254.13.1").Code);
        Assert.Equal(0, lab.Up(other, "169.254.13.2").Code);
        Assert.Equal("169.254.13.1", lab.MustLease(old)["ip"]);
        int pid = lab.DnsmasqPid();

        // The instance is re-created: same IP, new MAC (and a new tap).
        Assert.Equal(0, lab.Host.Ifdown(old.HostEnd).Code);
        Assert.Equal(pid, lab.DnsmasqPid());
        var reborn = lab.AddGuest("52:54:00:0d:03:99");
        var up = lab.Up(reborn, "169.254.13.1");
        Assert.True(up.Code == 0, up.ToString());

        Assert.Equal("169.254.13.1", lab.MustLease(reborn)["ip"]);
        Assert.Equal("169.254.13.2", lab.MustLease(other)["ip"]);
        // The one documented restart: dnsmasq forgets the old MAC's lease.
        Assert.NotEqual(pid, lab.DnsmasqPid());
        Assert.Contains("dnsmasq restarted (forgetting the old lease of 169.254.13.1)", up.Err);
        Assert.Equal("52:54:00:0d:03:02,169.254.13.2\n52:54:00:0d:03:99,169.254.13.1\n", lab.HostsFile);
    }

    [HostFact(Dnsmasq, "busybox")]
    public void Bind_interfaces_mode_serves_three_interfaces_sharing_the_channel_address()
    {
        using var lab = new DhcpLab("dhcp_mode = bind-interfaces\n");
        var g = Enumerable.Range(1, 3).Select(i => lab.AddGuest("52:54:00:0d:04:0" + i)).ToList();
        int pid = 0;
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(0, lab.Up(g[i], "169.254.14." + (i + 1)).Code);
            Assert.NotEqual(pid, lab.DnsmasqPid()); // restarted for every new interface
            pid = lab.DnsmasqPid();
        }
        string conf = File.ReadAllText(Path.Combine(lab.Host.StateRoot, "dhcp", "dnsmasq.conf"));
        Assert.Contains("bind-interfaces\ninterface=gnt.com.0\ninterface=gnt.com.1\ninterface=gnt.com.2\n", conf);
        for (int i = 0; i < 3; i++)
        {
            Assert.Contains("inet6 fe80::a9fe:a9fe:0:" + i + "/64", lab.Host.Ns.Ip("-6", "addr", "show", "dev", "gnt.com." + i));
            Assert.Equal("169.254.14." + (i + 1), lab.MustLease(g[i])["ip"]);
        }
    }

    [HostFact(Dnsmasq, "busybox")]
    public void The_last_guest_going_stops_dnsmasq_and_the_first_starts_it()
    {
        using var lab = new DhcpLab();
        var g = lab.AddGuest("52:54:00:0d:05:01");
        Assert.Equal(0, lab.DnsmasqPid());
        Assert.Equal(0, lab.Up(g, "169.254.15.1").Code);
        int pid = lab.DnsmasqPid();
        Assert.NotEqual(0, pid);
        Assert.Equal(0, lab.Host.Ifdown(g.HostEnd).Code);
        Assert.Equal(0, lab.DnsmasqPid());
        Assert.False(Directory.Exists("/proc/" + pid) && File.ReadAllText("/proc/" + pid + "/cmdline").Contains("dnsmasq"));
        Assert.Equal("", lab.HostsFile);
    }

    [HostFact(Dnsmasq, "busybox")]
    public void Another_DHCP_server_on_the_node_coexists_in_bind_dynamic_and_bind_interfaces_modes()
    {
        foreach (string mode in new[] { "bind-dynamic", "bind-interfaces" })
        {
            using var lab = new DhcpLab("dhcp_mode = " + mode + "\n");
            // The node's other DHCP server: a dnsmasq on a LAN interface, serving its own client.
            var lanClient = lab.AddGuest("52:54:00:0d:06:99");
            lab.Host.Ns.Ip("link", "set", lanClient.HostEnd, "name", "lan0");
            lab.Host.Ns.Ip("addr", "add", "10.50.0.1/24", "dev", "lan0");
            lab.Host.Ns.Ip("link", "set", "lan0", "up");
            string otherConf = Path.Combine(lab.Host.Sandbox.Dir, "other-dnsmasq.conf");
            File.WriteAllText(otherConf, "bind-interfaces\ninterface=lan0\nexcept-interface=lo\nport=0\nleasefile-ro\nno-ping\n" +
                "dhcp-range=10.50.0.10,10.50.0.20,255.255.255.0,1h\npid-file=" + Path.Combine(lab.Host.Sandbox.Dir, "other.pid") + "\n");
            lab.Host.Ns.Must(Dnsmasq, "--conf-file=" + otherConf);

            var guest = lab.AddGuest("52:54:00:0d:06:01");
            Assert.Equal(0, lab.Up(guest, "169.254.16.1").Code);
            // Our dnsmasq even holds an approval for the LAN client's MAC (on a channel
            // interface of its own): it must still not answer on lan0.
            lab.Host.AddTap("tap9");
            Assert.Equal(0, lab.Host.Ifup("tap9", "169.254.16.99", lanClient.Mac).Code);

            Assert.Equal("169.254.16.1", lab.MustLease(guest)["ip"]);
            string lanIp = lab.MustLease(lanClient)["ip"];
            Assert.StartsWith("10.50.0.", lanIp);
            Assert.NotEqual(0, lab.DnsmasqPid());
        }
    }

    [HostFact(Dnsmasq, "busybox")]
    public void Wildcard_mode_is_refused_beside_another_DHCP_server_and_allowed_alone()
    {
        using var alone = new DhcpLab("dhcp_mode = wildcard\ndhcp_required = yes\n");
        var g = alone.AddGuest("52:54:00:0d:07:01");
        Assert.Equal(0, alone.Up(g, "169.254.17.1").Code);
        Assert.Equal("169.254.17.1", alone.MustLease(g)["ip"]);

        using var crowded = new DhcpLab("dhcp_mode = wildcard\ndhcp_required = yes\n");
        crowded.Host.Ns.Ip("tuntap", "add", "dev", "lan0", "mode", "tap");
        crowded.Host.Ns.Ip("addr", "add", "10.50.0.1/24", "dev", "lan0");
        string otherConf = Path.Combine(crowded.Host.Sandbox.Dir, "other.conf");
        File.WriteAllText(otherConf, "interface=lan0\nport=0\nleasefile-ro\ndhcp-range=10.50.0.10,10.50.0.20,1h\npid-file=" + otherConf + ".pid\n");
        crowded.Host.Ns.Must(Dnsmasq, "--conf-file=" + otherConf);
        var h = crowded.AddGuest("52:54:00:0d:07:02");
        var r = crowded.Up(h, "169.254.17.2");
        Assert.Equal(1, r.Code);
        Assert.Contains("dhcp_mode wildcard refused: another DHCP server is bound to UDP port 67", r.Err);
        Assert.True(crowded.Host.Ns.LinkExists(h.HostEnd));
        Assert.Empty(crowded.Host.Records());

        // By default DHCP trouble does not stop a guest: the channel comes up, the error is
        // one line, and check reports it until it is resolved.
        crowded.Host.Sandbox.WriteConfig("dhcp_mode = wildcard\n");
        var lenient = crowded.Up(h, "169.254.17.2");
        Assert.True(lenient.Code == 0, lenient.ToString());
        Assert.Single(lenient.Err.Split('\n'), l => l.Contains("error: DHCP for gnt.com.0 failed, the channel is up without it: dhcp_mode wildcard refused"));
        Assert.Equal(new[] { "gnt.com.0" }, crowded.Host.Records());
        var check = crowded.Host.Admin("check");
        Assert.Equal(1, check.Code);
        Assert.Contains("dhcp: dhcp_mode wildcard refused", check.Out);
    }

    [HostFact(Dnsmasq, "busybox")]
    public void An_old_dnsmasq_without_bind_dynamic_falls_back_to_bind_interfaces()
    {
        using var lab = new DhcpLab();
        // The real dnsmasq, whose --help is made to look like a pre-2.63 one.
        string old = Path.Combine(lab.Host.Sandbox.Dir, "dnsmasq-2.62");
        File.WriteAllText(old, "#!/bin/sh\nif [ \"$1\" = --help ]; then " + Dnsmasq + " --help | grep -v bind-dynamic; else exec " + Dnsmasq + " \"$@\"; fi\n");
        File.SetUnixFileMode(old, (UnixFileMode)0b111_101_101);
        lab.Host.Sandbox.WriteConfig("dnsmasq = " + old + "\n");
        var g = lab.AddGuest("52:54:00:0d:08:01");
        var up = lab.Up(g, "169.254.18.1");
        Assert.True(up.Code == 0, up.ToString());
        Assert.Contains("does not support bind-dynamic: using bind-interfaces", up.Err);
        Assert.Contains("mode bind-interfaces", lab.DhcpStatus());
        Assert.Equal("169.254.18.1", lab.MustLease(g)["ip"]);
    }

    [HostFact]
    public void A_missing_dnsmasq_is_a_clear_error_naming_the_package()
    {
        using var h = new Host("dnsmasq = /nonexistent/dnsmasq\ndhcp_required = yes\n");
        h.AddTap("tap0");
        var r = h.Ifup("tap0", "169.254.19.1", "52:54:00:0d:09:01");
        Assert.Equal(1, r.Code);
        Assert.Equal("gnt-com-ifup: error: dnsmasq not found at /nonexistent/dnsmasq: install it (apt-get install dnsmasq-base) or set 'dnsmasq =' in the config\n", r.Err);
        Assert.True(h.Ns.LinkExists("tap0"));
        Assert.Empty(h.Records());

        // Without dhcp_required the guest still gets its channel; the error is logged and checked.
        h.Sandbox.WriteConfig("dnsmasq = /nonexistent/dnsmasq\n");
        var lenient = h.Ifup("tap0", "169.254.19.1", "52:54:00:0d:09:01");
        Assert.True(lenient.Code == 0, lenient.ToString());
        Assert.Contains("gnt-com-ifup: error: DHCP for gnt.com.0 failed, the channel is up without it: dnsmasq not found at /nonexistent/dnsmasq", lenient.Err);
        Assert.Equal(new[] { "gnt.com.0" }, h.Records());
        Assert.Contains("169.254.19.1 dev gnt.com.0", string.Join('\n', h.Ns.Routes()));
        Assert.Contains("dhcp: dnsmasq not found at /nonexistent/dnsmasq", h.Admin("check").Out);
    }

    [HostFact(Dnsmasq, "busybox")]
    public void An_external_dnsmasq_gets_the_hosts_file_and_a_SIGHUP()
    {
        using var lab = new DhcpLab();
        string hosts = Path.Combine(lab.Host.Sandbox.Dir, "ext.hosts");
        string pidFile = Path.Combine(lab.Host.Sandbox.Dir, "ext.pid");
        lab.Host.Sandbox.WriteConfig("dhcp = external\ndhcp_hosts_file = " + hosts + "\ndhcp_pid_file = " + pidFile + "\n");
        File.WriteAllText(hosts, "");
        string conf = Path.Combine(lab.Host.Sandbox.Dir, "ext.conf");
        File.WriteAllText(conf, "bind-dynamic\ninterface=gnt.com.*\nexcept-interface=lo\nport=0\nleasefile-ro\ndhcp-authoritative\n" +
            "dhcp-range=169.254.0.0,static,255.255.0.0\ndhcp-option=3\ndhcp-hostsfile=" + hosts + "\npid-file=" + pidFile + "\n");
        lab.Host.Ns.Must(Dnsmasq, "--conf-file=" + conf);
        int pid = int.Parse(File.ReadAllText(pidFile).Trim());

        var g = lab.AddGuest("52:54:00:0d:0a:01");
        Assert.Equal(0, lab.Up(g, "169.254.20.1").Code);
        Assert.Equal("52:54:00:0d:0a:01,169.254.20.1\n", File.ReadAllText(hosts));
        Assert.Equal("169.254.20.1", lab.MustLease(g)["ip"]);
        Assert.Equal(pid, int.Parse(File.ReadAllText(pidFile).Trim()));
        Assert.Equal(0, lab.Host.Ifdown(g.HostEnd).Code);
        Assert.Equal("", File.ReadAllText(hosts));
        Assert.True(Directory.Exists("/proc/" + pid), "GntCom must not stop an external dnsmasq");
    }

    [HostFact(Dnsmasq, "busybox")]
    public void Gnt_com_dhcp_status_reload_and_stop()
    {
        using var lab = new DhcpLab();
        var g = lab.AddGuest("52:54:00:0d:0b:01");
        Assert.Equal(0, lab.Up(g, "169.254.21.1").Code);
        int pid = lab.DnsmasqPid();
        Assert.Equal("dhcp:   private dnsmasq, mode bind-dynamic, pid " + pid + ", 1 lease(s) in " + Path.Combine(lab.Host.StateRoot, "dhcp", "dnsmasq.hosts"), lab.DhcpStatus());

        var reload = lab.Host.Admin("dhcp", "reload");
        Assert.True(reload.Code == 0, reload.ToString());
        Assert.Equal(pid, lab.DnsmasqPid());

        var stop = lab.Host.Admin("dhcp", "stop");
        Assert.Equal("dhcp: stopped pid " + pid + " (the next channel change starts it again)\n", stop.Out);
        Assert.Equal(0, lab.DnsmasqPid());
        Assert.Contains("dhcp: dnsmasq is not running", lab.Host.Admin("check").Out);

        var restart = lab.Host.Admin("dhcp", "reload");
        Assert.True(restart.Code == 0, restart.ToString());
        Assert.NotEqual(0, lab.DnsmasqPid());
        Assert.Equal("169.254.21.1", lab.MustLease(g)["ip"]);

        var bogus = lab.Host.Admin("dhcp", "restart");
        Assert.Equal(2, bogus.Code);
        Assert.Contains("dhcp action 'restart' must be status, reload or stop", bogus.Err);
    }
}
