using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Dhcp;

/// <summary>After any sequence of ups, downs, re-ups and vanished taps, the hosts file equals the live guests.</summary>
public sealed class HostsFileSequenceTests
{
    [HostFact("/usr/sbin/dnsmasq")]
    public void A_random_sequence_never_leaves_a_duplicate_or_stale_entry()
    {
        using var h = new Host("");
        var rnd = new Random(20261128);
        var live = new Dictionary<string, (string Ip, string Mac)>(); // tap name -> guest
        var served = new Dictionary<string, string>(); // IP -> MAC dnsmasq has seen since it started
        int pid = 0, restarts = 0;
        for (int step = 0; step < 60; step++)
        {
            int slot = rnd.Next(6);
            string tap = "t" + slot;
            int action = rnd.Next(4);
            bool reusedIp = false;
            if (!live.ContainsKey(tap))
            {
                // Up, sometimes reusing an IP or MAC another slot had before (re-created instances).
                string ip = "169.254.40." + (10 + rnd.Next(8));
                string mac = "52:54:00:0f:00:" + (10 + rnd.Next(8)).ToString("x2");
                if (live.Values.Any(g => g.Ip == ip || g.Mac == mac)) continue;
                if (!h.Ns.LinkExists(tap)) h.AddTap(tap);
                var r = h.Ifup(tap, ip, mac);
                Assert.True(r.Code == 0, "step " + step + ": " + r);
                live[tap] = (ip, mac);
                reusedIp = served.TryGetValue(ip, out var oldMac) && oldMac != mac;
            }
            else if (action == 0)
            {
                // The tap vanishes without a down call (SIGKILLed qemu); the next run heals.
                string name = Owner(h, live[tap].Ip);
                h.Ns.Ip("link", "del", name);
                live.Remove(tap);
                Assert.Equal(0, h.Admin("repair").Code);
            }
            else
            {
                string name = Owner(h, live[tap].Ip);
                Assert.Equal(0, h.Ifdown(name).Code);
                Assert.True(h.Ns.LinkExists(tap), "the down gives " + tap + " its own name back");
                live.Remove(tap);
            }
            string expected = string.Concat(live.Values.Select(g => g.Mac + "," + g.Ip + "\n").OrderBy(l => l, StringComparer.Ordinal));
            string hosts = File.ReadAllText(Path.Combine(h.StateRoot, "dhcp", "dnsmasq.hosts"));
            string actual = string.Concat(hosts.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l + "\n").OrderBy(l => l, StringComparer.Ordinal));
            Assert.True(expected == actual, "step " + step + ": hosts file\n" + hosts + "expected\n" + expected);
            Assert.Equal(live.Count, h.Records().Length);
            int now = DnsmasqPid(h);
            Assert.Equal(live.Count > 0, now != 0);
            if (pid != 0 && now != 0 && now != pid)
            {
                // The only restart allowed: an IP this dnsmasq leased to another MAC.
                Assert.True(reusedIp, "step " + step + ": dnsmasq restarted without an IP changing hands");
                restarts++;
            }
            if (now == 0 || now != pid) served.Clear(); // a fresh dnsmasq remembers nothing
            foreach (var g in live.Values) served[g.Ip] = g.Mac;
            pid = now;
        }
        Assert.True(restarts > 0, "the sequence never handed an IP to a new MAC: it tests less than it should");
    }

    private static string Owner(Host h, string ip) =>
        h.Records().First(n => h.Record(n).Contains("ip=" + ip + "\n"));

    private static int DnsmasqPid(Host h)
    {
        string pidFile = Path.Combine(h.StateRoot, "dhcp", "dnsmasq.pid");
        return File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid) && Directory.Exists("/proc/" + pid) ? pid : 0;
    }
}
