using System;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// Ganeti 3.1 on KVM: Ganeti opens the channel tap gnt.com.N itself, then runs
/// PKGLIBDIR/kvm-ifup, which sources /etc/ganeti/kvm-ifup-os (GntCom's installed shim,
/// linked as documented) and then execs the admin's /etc/ganeti/kvm-vif-bridge. No ACTION,
/// and never a down call: a stopped guest's channel must be cleaned up by a later call.
/// </summary>
public sealed class Ganeti31KvmTests
{
    private const string Dnsmasq = "/usr/sbin/dnsmasq";

    [HostFact("bash", "ip")]
    public void Kvm_ifup_sets_the_channel_tap_up_and_the_admins_kvm_vif_bridge_still_runs_afterwards()
    {
        using var site = new GanetiSite();
        using var node = site.Node();
        string marker = site.InstallKvmVifBridge();
        var vm1 = new Nic("vm1.example.org", "169.254.1.10", "52:54:00:01:00:10");
        var vm2 = new Nic("vm2.example.org", "169.254.1.20", "52:54:00:01:00:20");

        string tap1 = node.OpenTap();
        Assert.Equal("gnt.com.0", tap1);
        var r1 = node.KvmIfup(tap1, vm1);
        Assert.True(r1.Code == 0, r1.ToString());
        node.AssertChannel(tap1, vm1);
        Assert.Contains("instance=vm1.example.org", node.Record(tap1));
        Assert.Contains("kind=tap", node.Record(tap1));
        // kvm-vif-bridge ran after the channel was up: it saw the guest's route (linkdown
        // only because no qemu holds the stand-in tap).
        var bridge = File.ReadAllLines(marker);
        Assert.Equal(2, bridge.Length);
        Assert.Equal("kvm-vif-bridge INTERFACE=gnt.com.0 IP=169.254.1.10", bridge[0]);
        Assert.StartsWith("169.254.1.10 proto static scope link", bridge[1]);

        string tap2 = node.OpenTap();
        Assert.Equal("gnt.com.1", tap2);
        var r2 = node.KvmIfup(tap2, vm2);
        Assert.True(r2.Code == 0, r2.ToString());
        node.AssertChannel(tap2, vm2);
        node.AssertChannel(tap1, vm1);
        Assert.Equal(4, File.ReadAllLines(marker).Length);
        Assert.Equal(new[] { "gnt.com.0", "gnt.com.1" }, node.Records());

        var check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());
    }

    [HostFact("bash", "ip", Dnsmasq)]
    public void A_vanished_guest_is_cleaned_up_by_a_later_call_and_can_start_again()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        using var node = site.Node();
        var a = new Nic("vm-a.example.org", "169.254.2.1", "52:54:00:02:00:01");
        var b = new Nic("vm-b.example.org", "169.254.2.2", "52:54:00:02:00:02");
        var c = new Nic("vm-c.example.org", "169.254.2.3", "52:54:00:02:00:03");

        string tapA = node.OpenTap();
        Assert.Equal(0, node.KvmIfup(tapA, a).Code);
        string tapB = node.OpenTap();
        Assert.Equal(0, node.KvmIfup(tapB, b).Code);
        Assert.Equal(new[] { "52:54:00:02:00:01,169.254.2.1", "52:54:00:02:00:02,169.254.2.2" }, HostsLines(node));
        int dnsmasq = node.DnsmasqPid();
        Assert.NotEqual(0, dnsmasq);

        // vm-a's qemu exits: its tap goes with it, and Ganeti 3.1 calls no down script.
        node.CloseTap(tapA);

        // The next start on the node.
        string tapC = node.OpenTap();
        Assert.Equal("gnt.com.2", tapC);
        var rc = node.KvmIfup(tapC, c);
        Assert.True(rc.Code == 0, rc.ToString());
        Assert.Equal(new[] { tapB, tapC }, node.Records());
        Assert.Equal(new[] { "52:54:00:02:00:02,169.254.2.2", "52:54:00:02:00:03,169.254.2.3" }, HostsLines(node));
        Assert.DoesNotContain(node.Ns.Routes(), r => r.StartsWith("169.254.2.1 ", StringComparison.Ordinal));
        Assert.Equal(dnsmasq, node.DnsmasqPid());

        // vm-a starts again (a new tap; its IP and MAC are free again).
        string tapA2 = node.OpenTap();
        Assert.Equal("gnt.com.3", tapA2);
        var ra = node.KvmIfup(tapA2, a);
        Assert.True(ra.Code == 0, ra.ToString());
        node.AssertChannel(tapA2, a);
        Assert.Contains("52:54:00:02:00:01,169.254.2.1", HostsLines(node));
        var check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());
    }

    [HostFact("bash", "ip", "busybox", Dnsmasq)]
    public void A_guest_rebooted_by_ganeti_on_the_tap_name_its_old_tap_had_gets_its_channel_and_lease_again()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        using var node = site.Node();
        var vm = new Nic("solo.example.org", "169.254.3.1", "52:54:00:03:00:01");
        // A veth stands in for the tap here: its far end is the guest asking for its lease.
        using var guest = new GuestVm(node, node.GenerateTapName(), vm.Mac);
        Assert.Equal(0, node.KvmIfup(guest.HostEnd, vm).Code);
        Assert.Equal("169.254.3.1", guest.Dhcp()?["ip"]);
        int oldIndex = int.Parse(node.Ns.Ip("-o", "link", "show", "dev", "gnt.com.0").Split(':')[0]);

        // Ganeti's reboot: qemu stops (the tap goes, no down call), the start opens a new
        // tap, named again gnt.com.0 since it is the node's only guest.
        guest.Dispose();
        Assert.False(node.Ns.LinkExists("gnt.com.0"));
        using var rebooted = new GuestVm(node, node.GenerateTapName(), vm.Mac);
        Assert.Equal("gnt.com.0", rebooted.HostEnd);
        Assert.NotEqual(oldIndex, int.Parse(node.Ns.Ip("-o", "link", "show", "dev", "gnt.com.0").Split(':')[0]));
        var r = node.KvmIfup(rebooted.HostEnd, vm);
        Assert.True(r.Code == 0, r.ToString());
        node.AssertChannel("gnt.com.0", vm);
        Assert.Equal("52:54:00:03:00:01,169.254.3.1\n", node.HostsFile);
        Assert.Equal("169.254.3.1", rebooted.Dhcp()?["ip"]);
        var check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());
    }

    [HostFact("bash", "ip", Dnsmasq)]
    public void Ten_concurrent_starts_each_get_their_channel_and_DHCP_entry_from_one_dnsmasq()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        using var node = site.Node();
        var nics = Enumerable.Range(1, 10).Select(i => new Nic("vm" + i + ".example.org", "169.254.30." + i, "52:54:00:30:00:" + i.ToString("x2"))).ToList();
        var taps = nics.Select(_ => node.OpenTap()).ToList();

        // Ganeti runs instance starts in parallel (3.1 forks per request, master threads).
        var runs = nics.Select((nic, i) => System.Threading.Tasks.Task.Run(() => node.KvmIfup(taps[i], nic))).ToArray();
        System.Threading.Tasks.Task.WaitAll(runs);
        foreach (var r in runs) Assert.True(r.Result.Code == 0, r.Result.ToString());

        for (int i = 0; i < nics.Count; i++) node.AssertChannel(taps[i], nics[i]);
        Assert.Equal(nics.Select(n => n.Mac + "," + n.Ip).OrderBy(l => l, StringComparer.Ordinal), HostsLines(node));
        var dnsmasqs = node.Ns.Pids().Select(int.Parse).Where(Processes.IsLiveDnsmasq).ToList();
        Assert.Equal(new[] { node.DnsmasqPid() }, dnsmasqs);
        var check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());
    }

    [HostTheory("bash", "ip")]
    [InlineData("169.254.1.300")]   // not an IPv4 address
    [InlineData("192.0.2.7")]       // outside the channel network
    [InlineData("169.254.169.254")] // the host's own channel address
    public void A_bad_IP_fails_kvm_ifup_leaves_nothing_configured_and_kvm_vif_bridge_does_not_run(string ip)
    {
        using var site = new GanetiSite();
        using var node = site.Node();
        string marker = site.InstallKvmVifBridge();
        string tap = node.OpenTap();

        var r = node.KvmIfup(tap, new Nic("vm-bad.example.org", ip, "52:54:00:01:00:99"));
        Assert.True(r.Code == 2, r.ToString());
        Assert.Contains("gnt-com-ifup: error: IP '" + ip + "'", r.Err);
        Assert.False(File.Exists(marker), "kvm-vif-bridge ran after a failed channel set-up");
        node.AssertNothingConfigured(tap);
        Assert.True(node.Ns.LinkExists(tap));
    }

    private static string[] HostsLines(GanetiNode node) =>
        node.HostsFile.Split('\n', StringSplitOptions.RemoveEmptyEntries).OrderBy(l => l, StringComparer.Ordinal).ToArray();
}
