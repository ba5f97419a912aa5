using System.IO;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Hardening;

/// <summary>
/// A hook cannot hold a call (and so Ganeti, and the host lock) hostage: the call waits
/// for the hook, not for what it leaves in the background; a hook past hook_timeout dies
/// with its whole process group; a hook of a killed call dies with it, and its leftovers
/// die at the next call. Time limits here are liveness bounds on the calls (a hang fails
/// the test), never assertions on how long something took.
/// </summary>
public sealed class HookProcessTests
{
    private const int HookTimeout = 3;
    private const int Bound = (HookTimeout + 20) * 1000;

    [HostFact("pgrep", "pkill")]
    public void A_hook_that_leaves_a_child_in_the_background_does_not_hold_the_call()
    {
        using var h = new Host("dhcp = off\nhook_timeout = " + HookTimeout + "\n");
        var (sleep, sleepRegex) = Hard.UniqueSleep();
        string ran = Path.Combine(h.Sandbox.Dir, "hook-ran");
        // The child inherits the hook's stdout and stderr and outlives the hook by far.
        h.Sandbox.Hook("ifup.d", "10-daemon", sleep + " &\necho started >&2\ntouch " + ran + "\nexit 0");
        h.AddTap("tap0");
        h.AddTap("tap1");
        try
        {
            // Proc waits for the exit and for the call's stdout/stderr to close, within the bound.
            var first = Hard.Ifup(h, "tap0", Bound);
            Assert.True(first.Code == 0, first.ToString());
            Assert.True(File.Exists(ran));
            Assert.Contains("started", first.Err);
            Assert.True(Hard.Running(sleepRegex), "the hook's background child is expected to be still running");

            var second = Hard.Run(h, "gnt-com-ifup", new[] { "tap1" }, Bound, ("IP", "169.254.1.3"), ("MAC", "52:54:00:12:34:57"));
            Assert.True(second.Code == 0, second.ToString());
            Assert.Equal(new[] { "gnt.com.0", "gnt.com.1" }, h.Records());
        }
        finally
        {
            Hard.KillAll(sleepRegex);
        }
    }

    [HostFact("pgrep", "pkill")]
    public void A_hook_past_hook_timeout_is_killed_with_its_whole_group_and_the_up_is_undone()
    {
        using var h = new Host("dhcp = off\nhook_timeout = " + HookTimeout + "\n");
        var (child, childRegex) = Hard.UniqueSleep();
        var (self, selfRegex) = Hard.UniqueSleep(601);
        string grandchildRan = Path.Combine(h.Sandbox.Dir, "grandchild");
        // The hook, a child in the background, and a subshell's child: one process group.
        h.Sandbox.Hook("ifup.d", "10-stuck", child + " &\n(touch " + grandchildRan + "; " + child + ") &\n" + self);
        h.AddTap("tap0");
        string before = Hard.Snapshot(h.Ns);
        try
        {
            var r = Hard.Ifup(h, "tap0", Bound);

            Assert.True(r.Code == 1, r.ToString());
            Assert.Contains("hook " + Path.Combine(h.Sandbox.HooksDir, "ifup.d", "10-stuck") + " did not finish within "
                + HookTimeout + " s and was killed", r.Err);
            Assert.True(File.Exists(grandchildRan));
            // SIGKILL is delivered asynchronously: allow the kernel a moment to finish them off.
            Assert.True(Background.WaitFor(() => !Hard.Running(childRegex) && !Hard.Running(selfRegex), 10_000),
                "something of the timed-out hook's group is still running");
            Assert.Equal(before, Hard.Snapshot(h.Ns));
            Assert.Empty(h.Records());
        }
        finally
        {
            Hard.KillAll(childRegex, selfRegex);
        }
    }

    [HostTheory("pgrep", "pkill")]
    [InlineData("ifup.d")]
    [InlineData("ifdown.d")]
    public void The_hook_of_a_killed_call_dies_with_it_and_its_leftovers_die_at_the_next_call(string hooks)
    {
        using var h = new Host("dhcp = off\nhook_timeout = 120\n");
        var (child, childRegex) = Hard.UniqueSleep();
        var (self, selfRegex) = Hard.UniqueSleep(601);
        string started = Path.Combine(h.Sandbox.Dir, "started");
        string hold = Path.Combine(h.Sandbox.Dir, "hold");
        // Only while `hold` exists does the hook stall (the next call's run of it returns at once).
        h.Sandbox.Hook(hooks, "10-stall", "[ -e " + hold + " ] || exit 0\n" + child + " &\ntouch " + started + "\nexec " + self);
        h.AddTap("tap0");
        bool down = hooks == "ifdown.d";
        if (down)
        {
            var up = Hard.Ifup(h, "tap0", Bound);
            Assert.True(up.Code == 0, up.ToString());
        }
        File.WriteAllText(hold, "");
        try
        {
            using (var call = down ? Hard.Start(h, "gnt-com-ifdown", new[] { "tap0" })
                : Hard.Start(h, "gnt-com-ifup", new[] { "tap0" }, ("IP", Hard.Ip), ("MAC", Hard.Mac)))
            {
                Assert.True(Hard.AppearsWithin(started), "the hook never started: " + call);
                Proc.Must("kill", "-KILL", call.Pid.ToString());
                Assert.True(call.WaitForExit(30_000), "the killed call did not go away");
            }
            // The hook itself had PR_SET_PDEATHSIG: it dies with the call.
            Assert.True(Background.WaitFor(() => !Hard.Running(selfRegex), 10_000), "the hook outlived its killed call");
            // Its background child could not be reached by that; it still runs...
            Assert.True(Hard.Running(childRegex), "the hook's background child is expected to survive the kill");
            File.Delete(hold);

            // ...until the next call, which heals the killed one and kills its hook's group:
            // an up is rolled back (and made again here), a down is finished (and the tap,
            // its own name back, set up again).
            var next = Hard.Ifup(h, "tap0", Bound);
            Assert.True(next.Code == 0, next.ToString());
            Assert.Contains(down ? "finished the teardown of gnt.com.0" : "rolled back the unfinished set-up of gnt.com.0 (was tap0)", next.Err);
            Assert.True(Background.WaitFor(() => !Hard.Running(childRegex), 10_000), "the killed call's hook left a process behind");
            Assert.Equal(new[] { "gnt.com.0" }, h.Records());
            Assert.Contains("169.254.1.2 dev gnt.com.0", string.Join('\n', h.Ns.Routes()));
        }
        finally
        {
            Hard.KillAll(childRegex, selfRegex);
        }
    }
}
