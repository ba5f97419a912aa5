using System;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// `gnt-com adopt --ganeti-run-dir DIR` on a live node that Ganeti's own ifup-os scripts
/// configured, with their dnsmasq serving running guests (busybox udhcpc behind veths whose
/// host ends carry Ganeti's names gnt.com.N).
/// </summary>
public sealed class AdoptTests
{
    private const string Dnsmasq = "/usr/sbin/dnsmasq";

    [HostFact("bash", "ip", "busybox", Dnsmasq)]
    public void Adopt_takes_over_a_node_configured_by_ganetis_ifup_os_without_losing_a_lease()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        using var node = site.Node();
        var ganeti = new GanetiOwnIfupOs(node, Path.Combine(site.Sandbox.Dir, "ganeti-run"));
        var a = new Nic("vm-a.example.org", "169.254.4.1", "52:54:00:04:00:01");
        var b = new Nic("vm-b.example.org", "169.254.4.2", "52:54:00:04:00:02");
        ganeti.AddStaleHostsLine("52:54:00:04:00:99", "169.254.4.99"); // a guest deleted long ago
        using var guestA = new GuestVm(node, node.GenerateTapName(), a.Mac);
        ganeti.Up(guestA.HostEnd, a);
        using var guestB = new GuestVm(node, node.GenerateTapName(), b.Mac);
        ganeti.Up(guestB.HostEnd, b);
        Assert.Equal(new[] { "gnt.com.0", "gnt.com.1" }, new[] { guestA.HostEnd, guestB.HostEnd });
        Assert.Equal("169.254.4.1", guestA.Dhcp()?["ip"]);
        Assert.Equal("169.254.4.2", guestB.Dhcp()?["ip"]);
        int ganetiDnsmasq = ganeti.DnsmasqPid();
        Assert.NotEqual(0, ganetiDnsmasq);

        // --dry-run: the plan, and nothing changes.
        string before = Snapshot(node);
        string ganetiFiles = File.ReadAllText(ganeti.HostsPath) + File.ReadAllText(ganeti.ConfPath);
        var dry = node.Admin("adopt", "--ganeti-run-dir", ganeti.RunDir, "--dry-run");
        Assert.True(dry.Code == 0, dry.ToString());
        Assert.Contains("would adopt gnt.com.0: ip=169.254.4.1 mac=52:54:00:04:00:01", dry.Out);
        Assert.Contains("would adopt gnt.com.1: ip=169.254.4.2 mac=52:54:00:04:00:02", dry.Out);
        Assert.Contains("would stop Ganeti's dnsmasq (pid " + ganetiDnsmasq, dry.Out);
        Assert.Equal(before, Snapshot(node));
        Assert.Equal(ganetiFiles, File.ReadAllText(ganeti.HostsPath) + File.ReadAllText(ganeti.ConfPath));
        Assert.Equal(ganetiDnsmasq, ganeti.DnsmasqPid());
        Assert.Empty(node.Records());
        Assert.Equal(0, node.DnsmasqPid());

        var adopt = node.Admin("adopt", "--ganeti-run-dir", ganeti.RunDir);
        Assert.True(adopt.Code == 0, adopt.ToString());
        Assert.True(adopt.Out.Contains("adopt gnt.com.0: ip=169.254.4.1 mac=52:54:00:04:00:01 (")
            && adopt.Out.Contains("adopt gnt.com.1: ip=169.254.4.2 mac=52:54:00:04:00:02 ("), adopt.ToString());
        Assert.Equal(0, ganeti.DnsmasqPid());
        Assert.False(Processes.IsLiveDnsmasq(ganetiDnsmasq));
        Assert.Equal(new[] { "gnt.com.0", "gnt.com.1" }, node.Records());
        int ours = node.DnsmasqPid();
        Assert.NotEqual(0, ours);
        // Only the live guests: the stale line of Ganeti's never-pruned file is not carried over.
        Assert.Equal(new[] { "52:54:00:04:00:01,169.254.4.1", "52:54:00:04:00:02,169.254.4.2" }, HostsLines(node));

        // The running guests renew their addresses from GntCom's dnsmasq.
        Assert.Equal("169.254.4.1", guestA.Dhcp(requestIp: "169.254.4.1")?["ip"]);
        Assert.Equal("169.254.4.2", guestB.Dhcp(requestIp: "169.254.4.2")?["ip"]);

        // From now on Ganeti calls GntCom's shim: a new guest is set up and gets its lease.
        var c = new Nic("vm-c.example.org", "169.254.4.3", "52:54:00:04:00:03");
        using var guestC = new GuestVm(node, node.GenerateTapName(), c.Mac);
        Assert.Equal("gnt.com.2", guestC.HostEnd);
        var up = node.KvmIfup(guestC.HostEnd, c);
        Assert.True(up.Code == 0, up.ToString());
        Assert.Equal("169.254.4.3", guestC.Dhcp()?["ip"]);
        Assert.Equal(ours, node.DnsmasqPid());

        var check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());

        // Adopting again changes nothing.
        string after = Snapshot(node);
        string hosts = node.HostsFile;
        var again = node.Admin("adopt", "--ganeti-run-dir", ganeti.RunDir);
        Assert.True(again.Code == 0, again.ToString());
        Assert.Contains("nothing to adopt", again.Out);
        Assert.Equal(after, Snapshot(node));
        Assert.Equal(hosts, node.HostsFile);
        Assert.Equal(new[] { "gnt.com.0", "gnt.com.1", "gnt.com.2" }, node.Records());
        Assert.Equal(ours, node.DnsmasqPid());
        Assert.Equal("169.254.4.1", guestA.Dhcp(requestIp: "169.254.4.1")?["ip"]);
    }

    [HostFact("bash", "ip", "busybox", Dnsmasq)]
    public void A_guest_that_cannot_be_adopted_fails_adopt_and_keeps_ganetis_dnsmasq_serving()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        using var node = site.Node();
        var ganeti = new GanetiOwnIfupOs(node, Path.Combine(site.Sandbox.Dir, "ganeti-run"));
        var a = new Nic("vm-a.example.org", "169.254.4.11", "52:54:00:04:00:11");
        using var guestA = new GuestVm(node, node.GenerateTapName(), a.Mac);
        ganeti.Up(guestA.HostEnd, a);
        int ganetiDnsmasq = ganeti.DnsmasqPid();
        Assert.NotEqual(0, ganetiDnsmasq);
        // The admin's firewall hook cannot do its work: the adoption of gnt.com.0 fails.
        site.Sandbox.Hook("ifup.d", "20-firewall", "echo 'no nft table' >&2; exit 4");

        var adopt = node.Admin("adopt", "--ganeti-run-dir", ganeti.RunDir);
        Assert.Equal(1, adopt.Code);
        Assert.Contains("gnt-com: error: could not adopt gnt.com.0: hook ", adopt.Err);
        Assert.Contains("failed with exit code 4 (Ganeti's dnsmasq was left running", adopt.Err);
        Assert.Empty(node.Records());
        Assert.Equal(ganetiDnsmasq, ganeti.DnsmasqPid());
        Assert.Equal(0, node.DnsmasqPid());
        Assert.Equal("169.254.4.11", guestA.Dhcp(requestIp: "169.254.4.11")?["ip"]);

        // Fixed, adopt again: now it takes over.
        File.Delete(Path.Combine(site.Sandbox.HooksDir, "ifup.d", "20-firewall"));
        var again = node.Admin("adopt", "--ganeti-run-dir", ganeti.RunDir);
        Assert.True(again.Code == 0, again.ToString());
        Assert.Equal(new[] { "gnt.com.0" }, node.Records());
        Assert.Equal(0, ganeti.DnsmasqPid());
        Assert.NotEqual(0, node.DnsmasqPid());
    }

    /// <summary>What adoption may change on the node: links, addresses, routes, rules, the channel interfaces' sysctls.</summary>
    private static string Snapshot(GanetiNode node)
    {
        string sysctls = string.Join("\n", new[] { "gnt.com.0", "gnt.com.1", "gnt.com.2" }.Where(node.Ns.LinkExists).SelectMany(i => new[]
        {
            i + " rp_filter=" + node.Ns.Sysctl("net/ipv4/conf/" + i + "/rp_filter"),
            i + " disable_ipv6=" + node.Ns.Sysctl("net/ipv6/conf/" + i + "/disable_ipv6"),
        }));
        return node.Ns.Ip("-d", "link", "show") + node.Ns.Ip("-4", "addr", "show") + node.Ns.Ip("-4", "route", "show", "table", "all")
            + node.Ns.Ip("rule", "show") + node.Ns.Ip("-6", "rule", "show") + sysctls;
    }

    private static string[] HostsLines(GanetiNode node) =>
        node.HostsFile.Split('\n', StringSplitOptions.RemoveEmptyEntries).OrderBy(l => l, StringComparer.Ordinal).ToArray();
}
