using System.IO;
using GntCom.Tests.Infrastructure;
using GntCom.Tests.Xen;
using Xunit;

namespace GntCom.Tests.Hardening;

/// <summary>
/// A wedged holder of the host lock (here: a call stopped with SIGSTOP in the middle of
/// its hooks) does not wedge the node: the next call gives up after lock_timeout, naming
/// the holder, and calls work again once the holder goes on or goes away.
/// </summary>
public sealed class LockTimeoutTests
{
    private const int LockTimeout = 2;
    private const int Bound = (LockTimeout + 30) * 1000;

    /// <summary>A hook that stalls (holding its call, and so the lock) while HOLD exists.</summary>
    private static (string Started, string Hold) StallingHook(Sandbox s)
    {
        string started = Path.Combine(s.Dir, "started");
        string hold = Path.Combine(s.Dir, "hold");
        File.WriteAllText(hold, "");
        s.Hook("ifup.d", "10-stall", "[ -e " + hold + " ] || exit 0\ntouch " + started + "\nwhile [ -e " + hold + " ]; do sleep 0.05; done");
        return (started, hold);
    }

    [HostFact]
    public void A_stopped_holder_makes_the_next_call_fail_after_lock_timeout_naming_it()
    {
        using var h = new Host("dhcp = off\nlock_timeout = " + LockTimeout + "\n");
        var (started, hold) = StallingHook(h.Sandbox);
        h.AddTap("tap0");
        h.AddTap("tap1");
        using var holder = Hard.Start(h, "gnt-com-ifup", new[] { "tap0" }, ("IP", Hard.Ip), ("MAC", Hard.Mac));
        try
        {
            Assert.True(Hard.AppearsWithin(started), "the holder's hook never started: " + holder);
            Proc.Must("kill", "-STOP", holder.Pid.ToString());
            string before = h.Ns.Ip("-d", "link", "show", "dev", "tap1") + h.AddrShow("tap1");

            var r = Hard.Run(h, "gnt-com-ifup", new[] { "tap1" }, Bound, ("IP", "169.254.1.3"), ("MAC", "52:54:00:12:34:57"));

            Assert.True(r.Code == 1, r.ToString());
            string line = Hard.OneErrorLine(r, "gnt-com-ifup");
            Assert.Contains("host lock " + Path.Combine(h.StateRoot, "lock") + " is held by pid " + holder.Pid + " (", line);
            Assert.Contains("gnt-com-ifup tap0)", line);
            Assert.Contains("gave up after " + LockTimeout + " s (lock_timeout)", line);
            Assert.Equal(before, h.Ns.Ip("-d", "link", "show", "dev", "tap1") + h.AddrShow("tap1"));

            // The holder goes on and finishes; then the call that failed works.
            Proc.Must("kill", "-CONT", holder.Pid.ToString());
            File.Delete(hold);
            Assert.True(holder.WaitForExit(Bound), "the holder did not finish after SIGCONT");
            Assert.True(holder.ExitCode == 0, holder.ToString());
            var again = Hard.Run(h, "gnt-com-ifup", new[] { "tap1" }, Bound, ("IP", "169.254.1.3"), ("MAC", "52:54:00:12:34:57"));
            Assert.True(again.Code == 0, again.ToString());
            Assert.Equal(new[] { "gnt.com.0", "gnt.com.1" }, h.Records());
        }
        finally
        {
            File.Delete(hold);
            Proc.Run("kill", "-CONT", holder.Pid.ToString());
        }
    }

    [HostFact("xenstore-read")]
    public void A_vif_online_that_cannot_get_the_lock_reports_the_holder_in_xenstore()
    {
        using var x = new XenHost("dhcp = off\nlock_timeout = " + LockTimeout + "\n");
        var h = x.Host;
        var (started, hold) = StallingHook(h.Sandbox);
        h.AddTap("tap9");
        string vif = x.AddVif(5, 0, "00:16:3e:00:07:07", ip: "169.254.7.7", vifname: "gnt.com.3");
        string b = XenHost.Backend(5, 0);
        using var holder = Hard.Start(h, "gnt-com-ifup", new[] { "tap9" }, ("IP", Hard.Ip), ("MAC", Hard.Mac));
        try
        {
            Assert.True(Hard.AppearsWithin(started), "the holder's hook never started: " + holder);
            Proc.Must("kill", "-STOP", holder.Pid.ToString());

            var online = x.Vif("online", vif, 5, 0);

            Assert.True(online.Code == 1, online.ToString());
            string line = Hard.OneErrorLine(online, "vif-gnt-com");
            Assert.Contains("is held by pid " + holder.Pid + " (", line);
            Assert.Contains("gave up after " + LockTimeout + " s (lock_timeout)", line);
            Assert.Equal("error", x.Store.Read(b + "/hotplug-status"));
            Assert.Contains("is held by pid " + holder.Pid + " (", x.Store.Read(b + "/hotplug-error") ?? "");
            Assert.True(x.Ns.LinkExists(vif), "the vif was renamed without the lock");
            Assert.DoesNotContain("inet ", h.AddrShow(vif));

            // The holder is killed (stopped or not): the lock goes with it, the next call
            // rolls its half-done set-up back and does its own.
            Proc.Must("kill", "-KILL", holder.Pid.ToString());
            Assert.True(holder.WaitForExit(Bound), "the killed holder did not go away");
            File.Delete(hold);
            var again = x.Vif("online", vif, 5, 0);
            Assert.True(again.Code == 0, again.ToString());
            Assert.Equal("connected", x.Store.Read(b + "/hotplug-status"));
            Assert.Equal(new[] { "gnt.com.3" }, h.Records());
            Assert.True(x.Ns.LinkExists("tap9"), "the killed holder's tap was not given its name back");
            Assert.Contains("169.254.7.7 dev gnt.com.3", string.Join('\n', x.Ns.Routes()));
        }
        finally
        {
            File.Delete(hold);
            Proc.Run("kill", "-KILL", holder.Pid.ToString());
        }
    }
}
