using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Dhcp;

/// <summary>
/// Another DHCP server that answers the guests on the channel interfaces (Ganeti's own
/// dnsmasq, which Ganeti never stops, is the usual one): `gnt-com check` and `status` name
/// it (pid, command, what to run), and an up logs it once. One kept off the channel
/// interfaces is not reported. Real dnsmasq processes in the test's namespace.
/// </summary>
public sealed class RivalDhcpTests
{
    private const string Dnsmasq = "/usr/sbin/dnsmasq";

    /// <summary>Starts a dnsmasq with <paramref name="lines"/> as its config; returns its pid and its config path.</summary>
    private static (int Pid, string Conf) StartDnsmasq(Host h, string name, params string[] lines)
    {
        string dir = Path.Combine(h.Sandbox.Dir, name);
        Directory.CreateDirectory(dir);
        string conf = Path.Combine(dir, "dnsmasq.conf"), pidFile = Path.Combine(dir, "dnsmasq.pid");
        File.WriteAllText(conf, string.Join("\n", lines.Append("port=0").Append("pid-file=" + pidFile)) + "\n");
        h.Ns.Must(Dnsmasq, "-C", conf);
        return (int.Parse(File.ReadAllText(pidFile).Trim()), conf);
    }

    [HostFact("ip", Dnsmasq)]
    public void A_dnsmasq_serving_gnt_com_interfaces_is_named_by_check_and_status_and_logged_once_by_up()
    {
        using var h = new Host("dhcp = dnsmasq\n");
        h.AddTap("tap0");
        var first = h.Ifup("tap0", "169.254.50.1", "52:54:00:50:00:01");
        Assert.True(first.Code == 0, first.ToString());
        Assert.DoesNotContain("another DHCP server", first.Err);
        var check = h.Admin("check");
        Assert.True(check.Code == 0, check.ToString());

        // Ganeti's own dnsmasq, as its ifup-os leaves it running (bind-dynamic, gnt.com.*).
        var (pid, conf) = StartDnsmasq(h, "ganeti-run", "bind-dynamic", "interface=gnt.com.*", "except-interface=eth*",
            "except-interface=lo", "dhcp-range=169.254.0.0,static,255.255.0.0", "dhcp-authoritative", "leasefile-ro");
        string line = "dhcp: another DHCP server answers the guests on the channel interfaces: pid " + pid
            + " (" + Dnsmasq + " -C " + conf + "), bound to UDP 67 on every interface";
        check = h.Admin("check");
        Assert.Equal(1, check.Code);
        Assert.Contains(line, check.Out);
        Assert.Contains("stop it, or keep it off the channel interfaces (dnsmasq: except-interface=gnt.com.*)", check.Out);
        var status = h.Admin("status");
        Assert.Contains("another DHCP server answers the guests on the channel interfaces: pid " + pid, status.Out);
        var json = JsonDocument.Parse(h.Admin("status", "--json").Out).RootElement.GetProperty("dhcp").GetProperty("rivals");
        var one = Assert.Single(json.EnumerateArray());
        Assert.Equal(pid, one.GetProperty("pid").GetInt32());
        Assert.True(one.GetProperty("answers").GetBoolean());

        // The next up logs it, once; the one after does not repeat it.
        h.AddTap("tap1");
        var second = h.Ifup("tap1", "169.254.50.2", "52:54:00:50:00:02");
        Assert.True(second.Code == 0, second.ToString());
        Assert.Single(second.Err.Split('\n'), l => l.StartsWith("gnt-com-ifup: warning: " + line, StringComparison.Ordinal));
        h.AddTap("tap2");
        var third = h.Ifup("tap2", "169.254.50.3", "52:54:00:50:00:03");
        Assert.True(third.Code == 0, third.ToString());
        Assert.DoesNotContain("another DHCP server", third.Err);

        Proc.Must("kill", pid.ToString());
        Assert.True(Background.WaitFor(() => h.Admin("check").Code == 0, 5000), h.Admin("check").ToString());
    }

    [HostFact("ip", Dnsmasq)]
    public void Another_program_on_udp_67_of_every_interface_is_shown_by_status_but_is_no_check_problem()
    {
        using var h = new Host("dhcp = dnsmasq\n");
        h.AddTap("tap0");
        Assert.Equal(0, h.Ifup("tap0", "169.254.50.6", "52:54:00:50:00:06").Code);
        // Not a dnsmasq (ISC dhcpd or Kea serving another network, say; here this test's own
        // process): it receives the guests' requests, and GntCom cannot read whether it
        // answers them.
        using var other = InNamespace.Run(h.Ns, () =>
        {
            var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            s.SetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.ReuseAddress, true);
            s.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Any, 67));
            return s;
        });
        var check = h.Admin("check");
        Assert.True(check.Code == 0, check.ToString());
        var status = h.Admin("status");
        Assert.Contains("another program receives the guests' DHCP requests: pid ", status.Out);
        Assert.Contains("make sure it does not answer them", status.Out);
        var rival = Assert.Single(JsonDocument.Parse(h.Admin("status", "--json").Out).RootElement.GetProperty("dhcp").GetProperty("rivals").EnumerateArray());
        Assert.False(rival.GetProperty("answers").GetBoolean());
    }

    [HostFact("ip", Dnsmasq)]
    public void A_dnsmasq_kept_off_the_channel_interfaces_is_not_reported()
    {
        using var h = new Host("dhcp = dnsmasq\n");
        h.AddTap("tap0");
        Assert.Equal(0, h.Ifup("tap0", "169.254.50.4", "52:54:00:50:00:04").Code);
        h.Ns.Ip("link", "add", "gctlan0", "type", "veth", "peer", "name", "gctlan1");
        h.Ns.Ip("addr", "add", "10.9.9.1/24", "dev", "gctlan0");
        h.Ns.Ip("link", "set", "gctlan0", "up");
        // One interface: dnsmasq binds its DHCP socket to that device.
        StartDnsmasq(h, "lan", "bind-dynamic", "interface=gctlan0", "dhcp-range=10.9.9.10,10.9.9.20");
        // Every interface but the channel's: bound to all, but its options keep it off them.
        StartDnsmasq(h, "all-but", "bind-dynamic", "except-interface=gnt.com.*", "except-interface=lo", "dhcp-range=10.9.9.30,10.9.9.40");
        var check = h.Admin("check");
        Assert.True(check.Code == 0, check.ToString());
        h.AddTap("tap1");
        var up = h.Ifup("tap1", "169.254.50.5", "52:54:00:50:00:05");
        Assert.True(up.Code == 0, up.ToString());
        Assert.DoesNotContain("another DHCP server", up.Err);
    }
}
