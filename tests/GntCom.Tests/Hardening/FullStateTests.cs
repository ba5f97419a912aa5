using System;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Hardening;

/// <summary>
/// A full state filesystem (/run out of space) must not fail a teardown: what only saves
/// work (the journal, the sweep's cursor, the name hints, DHCP's notes) may not be
/// written, the interface is torn down all the same, and the call says what it could not
/// record. The state directory is a small tmpfs of the test's own, filled up.
/// </summary>
public sealed class FullStateTests
{
    [HostFact("ip", "mount", "umount", "/usr/sbin/dnsmasq")]
    public void A_down_with_the_state_filesystem_full_tears_down_and_says_what_it_could_not_record()
    {
        using var h = new Host("dhcp = dnsmasq\n");
        Directory.CreateDirectory(h.Sandbox.StateDir);
        Proc.Must("mount", "-t", "tmpfs", "-o", "size=256k,mode=0755", "gct-full", h.Sandbox.StateDir);
        try
        {
            h.AddTap("tap0");
            h.AddTap("tap1");
            var up = h.Ifup("tap0", "169.254.60.1", "52:54:00:60:00:01");
            Assert.True(up.Code == 0, up.ToString());
            Assert.Equal(0, h.Ifup("tap1", "169.254.60.2", "52:54:00:60:00:02").Code);
            string filler = Path.Combine(h.Sandbox.StateDir, "filler");
            Proc.Run("dd", "if=/dev/zero", "of=" + filler, "bs=4k"); // until ENOSPC

            var first = h.Ifdown("tap1");
            Assert.True(first.Code == 0, first.ToString());
            Assert.Contains("No space left on device", first.Err);
            Assert.DoesNotContain("error:", first.Err);
            var down = h.Ifdown("tap0");
            Assert.True(down.Code == 0, down.ToString());
            Assert.DoesNotContain("error:", down.Err);
            // Torn down all the same: no route, no address, the tap's own name, no record,
            // no dnsmasq, no shared rules.
            Assert.DoesNotContain(h.Ns.Routes(), r => r.StartsWith("169.254.60.1", StringComparison.Ordinal));
            Assert.True(h.Ns.LinkExists("tap0"));
            Assert.DoesNotContain("inet ", h.AddrShow("tap0"));
            Assert.Empty(h.Records());
            Assert.DoesNotContain("1692", h.Ns.Ip("rule"));
            Assert.DoesNotContain(h.Ns.Pids(), p => Proc.Run("cat", "/proc/" + p + "/cmdline").Out.Contains("dnsmasq"));

            // Space again: the node is clean, with nothing to repair.
            File.Delete(filler);
            var check = h.Admin("check");
            Assert.True(check.Code == 0, check.ToString());
        }
        finally
        {
            foreach (string p in h.Ns.Pids()) Proc.Run("kill", "-9", p);
            Proc.Run("umount", "-l", h.Sandbox.StateDir);
        }
    }
}
