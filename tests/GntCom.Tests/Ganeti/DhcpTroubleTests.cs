using System;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// DHCP trouble does not fail a Ganeti instance start by default (dhcp_required = no): the
/// channel comes up, one error line says why DHCP is missing, `gnt-com check` names it.
/// With dhcp_required = yes the start fails and nothing is left configured.
/// </summary>
public sealed class DhcpTroubleTests
{
    private const string Dnsmasq = "/usr/sbin/dnsmasq";

    [HostTheory("bash", "ip", Dnsmasq)]
    [InlineData("wildcard beside another DHCP server", "dhcp_mode = wildcard\n", "dhcp_mode wildcard refused: another DHCP server is bound to UDP port 67")]
    [InlineData("dnsmasq missing", "dnsmasq = /nonexistent/sbin/dnsmasq\n", "dnsmasq not found at /nonexistent/sbin/dnsmasq")]
    public void Dhcp_trouble_does_not_fail_a_ganeti_start_unless_dhcp_is_required(string trouble, string config, string cause)
    {
        using var site = new GanetiSite(config);
        using var node = site.Node();
        if (trouble.StartsWith("wildcard", StringComparison.Ordinal)) StartAnotherDhcpServer(node, site.Sandbox.Dir);
        string marker = site.InstallKvmVifBridge();
        var vm = new Nic("vm1.example.org", "169.254.20.1", "52:54:00:20:00:01");

        string tap = node.OpenTap();
        var r = node.KvmIfup(tap, vm);
        Assert.True(r.Code == 0, r.ToString());
        string error = Assert.Single(r.Err.Split('\n'), l => l.Contains(": error: "));
        Assert.StartsWith("gnt-com-ifup: error: DHCP for gnt.com.0 failed, the channel is up without it: " + cause, error);
        node.AssertChannel(tap, vm);
        Assert.True(File.Exists(marker), "the start did not go on to kvm-vif-bridge");
        var check = node.Admin("check");
        Assert.True(check.Code == 1, check.ToString());
        Assert.Contains("dhcp: " + cause, check.Out);

        // dhcp_required = yes: the same trouble fails the next start.
        site.SetConfig(config + "dhcp_required = yes\n");
        File.Delete(marker);
        var vm2 = new Nic("vm2.example.org", "169.254.20.2", "52:54:00:20:00:02");
        string tap2 = node.OpenTap();
        var r2 = node.KvmIfup(tap2, vm2);
        Assert.True(r2.Code == 1, r2.ToString());
        Assert.Contains("gnt-com-ifup: error: " + cause, r2.Err);
        Assert.False(File.Exists(marker), "kvm-vif-bridge ran after a failed start");
        Assert.Equal(new[] { tap }, node.Records());
        Assert.DoesNotContain("inet ", node.Addresses(tap2));
        Assert.DoesNotContain(node.Ns.Routes(), l => l.Contains("dev " + tap2 + " "));
    }

    /// <summary>The node's own DHCP server for a LAN (a real dnsmasq), bound to UDP port 67 on every address.</summary>
    private static void StartAnotherDhcpServer(GanetiNode node, string dir)
    {
        node.Ns.Ip("tuntap", "add", "dev", "lan0", "mode", "tap");
        node.Ns.Ip("addr", "add", "10.50.0.1/24", "dev", "lan0");
        node.Ns.Ip("link", "set", "lan0", "up");
        string conf = Path.Combine(dir, "lan-dnsmasq.conf");
        File.WriteAllText(conf, "interface=lan0\nport=0\nleasefile-ro\ndhcp-range=10.50.0.10,10.50.0.20,1h\npid-file=" + conf + ".pid\n");
        node.Ns.Must(Dnsmasq, "--conf-file=" + conf);
    }
}
