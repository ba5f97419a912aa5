using System;
using System.IO;
using System.Linq;

using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Dhcp;

/// <summary>
/// Which process is GntCom's dnsmasq: the one its pid file names, whose executable (not
/// its command line) is a dnsmasq running GntCom's config, also after an upgrade replaced
/// the binary under it; another one running that config (a killed call started it before
/// its pid file was written) is named by check and stopped by repair.
/// </summary>
public sealed class DnsmasqIdentityTests
{
    private const string Dnsmasq = "/usr/sbin/dnsmasq";

    private static int[] DnsmasqsOf(Host h) =>
        h.Ns.Pids().Select(int.Parse).Where(p => Ganeti.Processes.IsLiveDnsmasqRunning(p, h.StateRoot)).ToArray();

    [HostFact("ip", Dnsmasq)]
    public void An_upgrade_of_the_dnsmasq_binary_does_not_hide_the_running_one()
    {
        using var h = new Host();
        string bin = Path.Combine(h.Sandbox.Dir, "bin");
        Directory.CreateDirectory(bin);
        File.Copy(Dnsmasq, Path.Combine(bin, "dnsmasq"));
        h.Sandbox.WriteConfig("dhcp = dnsmasq\ndnsmasq = " + Path.Combine(bin, "dnsmasq") + "\n");
        h.AddTap("tap0");
        h.AddTap("tap1");
        Assert.Equal(0, h.Ifup("tap0", "169.254.70.1", "52:54:00:70:00:01").Code);
        int pid = Assert.Single(DnsmasqsOf(h));

        // The package manager replaces the binary: the running daemon's exe reads "(deleted)".
        File.Copy(Dnsmasq, Path.Combine(bin, "dnsmasq.new"));
        File.Move(Path.Combine(bin, "dnsmasq.new"), Path.Combine(bin, "dnsmasq"), overwrite: true);
        Assert.EndsWith(" (deleted)", new FileInfo("/proc/" + pid + "/exe").LinkTarget);
        var up = h.Ifup("tap1", "169.254.70.2", "52:54:00:70:00:02");
        Assert.True(up.Code == 0, up.ToString());
        Assert.DoesNotContain("dnsmasq started", up.Err);
        Assert.Equal(new[] { pid }, DnsmasqsOf(h));
        Assert.Equal(0, h.Admin("check").Code);
        Assert.Equal(0, h.Ifdown("tap1").Code);
        Assert.Equal(0, h.Ifdown("tap0").Code);
        Assert.Empty(DnsmasqsOf(h));
    }

    [HostFact("ip", Dnsmasq)]
    public void An_extra_dnsmasq_on_gntcoms_config_is_named_by_check_and_stopped_by_repair()
    {
        using var h = new Host("dhcp = dnsmasq\n");
        h.AddTap("tap0");
        Assert.Equal(0, h.Ifup("tap0", "169.254.70.3", "52:54:00:70:00:03").Code);
        int ours = Assert.Single(DnsmasqsOf(h));
        string conf = Path.Combine(h.StateRoot, "dhcp", "dnsmasq.conf");
        string pidFile = Path.Combine(h.StateRoot, "dhcp", "dnsmasq.pid");
        // What a call killed while starting dnsmasq leaves: another one on the same config
        // (the pid file is put back to name the one GntCom knows).
        h.Ns.Must(Dnsmasq, "--conf-file=" + conf);
        File.WriteAllText(pidFile, ours + "\n");
        int extra = Assert.Single(DnsmasqsOf(h), p => p != ours);

        var check = h.Admin("check");
        Assert.Equal(1, check.Code);
        Assert.Contains("dhcp: an extra dnsmasq runs GntCom's config (pid " + extra + ", left by a killed call): 'gnt-com repair' stops it", check.Out);
        Assert.DoesNotContain("another DHCP server", check.Out);
        var repair = h.Admin("repair");
        Assert.True(repair.Code == 0, repair.ToString());
        Assert.Contains("stopped an extra dnsmasq (pid " + extra + ")", repair.Out);
        Assert.Equal(new[] { ours }, DnsmasqsOf(h));
    }
}
