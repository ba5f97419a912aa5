using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using GntCom.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace GntCom.Tests.Campaign;

/// <summary>
/// SIGKILL at random points of gnt-com-ifup and gnt-com-ifdown (qemu's and Ganeti's
/// protocols, with hooks and a real dnsmasq), each kill followed by an ordinary call that
/// must heal: afterwards the namespace and the records must agree exactly.
/// </summary>
public sealed class KillCampaign
{
    private readonly ITestOutputHelper _out;
    public KillCampaign(ITestOutputHelper output) => _out = output;

    private sealed class Slot
    {
        public required string Tap;          // the hypervisor's name (qemu) or the fixed channel name (Ganeti)
        public required bool Ganeti;
        public required string Ip;
        public required string Mac;
    }

    [CampaignFact("dnsmasq", "pgrep")]
    public void Two_hundred_kills_lose_nothing()
    {
        int runs = CampaignFactAttribute.Size("GNT_COM_KILL_RUNS", 200, 100);
        int seed = Report.Seed;
        var rnd = new Random(seed);
        using var h = new Host("dhcp = dnsmasq\nhook_timeout = 30\n");
        string hookLog = Path.Combine(h.Sandbox.Dir, "hooks.log");
        h.Sandbox.Hook("ifup.d", "10-log", "echo \"up $INTERFACE $IP\" >> " + hookLog);
        h.Sandbox.Hook("ifdown.d", "10-log", "echo \"down $INTERFACE $IP\" >> " + hookLog);
        var slots = new List<Slot>();
        for (int i = 0; i < 8; i++)
        {
            bool ganeti = i >= 5;
            var s = new Slot { Tap = ganeti ? "gnt.com." + (40 + i) : "kt" + i, Ganeti = ganeti, Ip = "169.254.10." + (i + 1), Mac = "52:54:00:10:00:" + (i + 1).ToString("x2") };
            h.AddTap(s.Tap);
            slots.Add(s);
        }

        var durations = new Dictionary<string, List<double>> { ["up"] = new(), ["down"] = new() };
        int killedMidway = 0, finishedFirst = 0, healingCalls = 0, healed = 0;
        var problems = new List<string>();
        var killsAt = new Dictionary<string, int> { ["up"] = 0, ["down"] = 0 };
        var temporaries = new HashSet<string>();
        var temporaryNotes = new List<string>();

        for (int run = 0; run < runs + 10; run++)
        {
            bool warmUp = run < 10; // the first runs are not killed: they measure how long a call takes
            var slot = slots[rnd.Next(slots.Count)];
            string op = IsUp(h, slot) ? "down" : "up";
            var psi = Call(h, slot, op);
            var sw = Stopwatch.StartNew();
            using (var p = Process.Start(psi)!)
            {
                if (!warmUp)
                {
                    double median = Median(durations[op]);
                    double delayMs = rnd.NextDouble() * median * 1.3;
                    while (sw.Elapsed.TotalMilliseconds < delayMs) Thread.SpinWait(50);
                    try { p.Kill(); } catch (InvalidOperationException) { }
                }
                if (!p.WaitForExit(60_000)) { p.Kill(true); problems.Add("run " + run + ": " + op + " hung"); }
                p.WaitForExit();
                if (warmUp)
                {
                    durations[op].Add(sw.Elapsed.TotalMilliseconds);
                    if (p.ExitCode != 0) problems.Add("warm-up " + op + " " + slot.Tap + " failed: " + p.StandardError.ReadToEnd());
                }
                else if (p.ExitCode == 137 || p.ExitCode == -1 || p.ExitCode == 128 + 9) { killedMidway++; killsAt[op]++; }
                else finishedFirst++;
            }

            if (!warmUp)
            {
                // The next ordinary call, on any slot, heals whatever the kill left.
                // (A qemu guest whose tap is not there under its own name, because its down
                // completed and qemu has not made a new tap yet, can only be taken down.)
                var other = slots[rnd.Next(slots.Count)];
                bool canUp = other.Ganeti || h.Ns.LinkExists(other.Tap);
                var heal = Run(h, other, IsUp(h, other) || !canUp ? "down" : "up");
                healingCalls++;
                if (heal.Code != 0) problems.Add("run " + run + ": healing call failed: " + heal);
                else if (heal.Err.Contains("rolled back") || heal.Err.Contains("finished the teardown")) healed++;
            }
            ActAsQemu(h, slots);
            foreach (string p in Consistency.Check(h, dhcp: true)) problems.Add("run " + run + " (" + op + " " + slot.Tap + "): " + p);
            foreach (string t in Consistency.TemporaryFiles(h.StateRoot))
                if (temporaries.Add(t)) temporaryNotes.Add("run " + run + " (" + op + " " + slot.Tap + "): " + t);
            if (problems.Count > 20) break;
        }

        // Everything down at the end: nothing may be left of any guest. The hypervisor then
        // deletes the guests' interfaces (Ganeti's keep their channel name until then).
        foreach (var s in slots) if (IsUp(h, s)) Run(h, s, "down");
        ActAsQemu(h, slots);
        foreach (var s in slots.Where(s => s.Ganeti)) h.Ns.Ip("link", "del", s.Tap);
        foreach (string p in Consistency.Check(h, dhcp: true)) problems.Add("at the end: " + p);
        if (Consistency.Records(h.StateRoot).Count != 0) problems.Add("records left at the end");
        var check = h.Admin("check");
        if (check.Code != 0) problems.Add("gnt-com check at the end: " + check);

        var report = new StringBuilder();
        report.Append("Kill campaign (seed ").Append(seed).Append("): ").Append(runs).Append(" runs of ifup/ifdown, each sent SIGKILL at a random point of its expected duration\n");
        report.Append("- median call: up ").Append(Median(durations["up"]).ToString("F1")).Append(" ms, down ").Append(Median(durations["down"]).ToString("F1")).Append(" ms (warm-up, not a measurement)\n");
        report.Append("- killed mid-call: ").Append(killedMidway).Append(" (up ").Append(killsAt["up"]).Append(", down ").Append(killsAt["down"]).Append("); finished before the kill: ").Append(finishedFirst).Append('\n');
        report.Append("- healing calls: ").Append(healingCalls).Append(", of which reported a roll-back or finished teardown: ").Append(healed).Append('\n');
        report.Append("- problems (lost or half-configured state): ").Append(problems.Count).Append('\n');
        foreach (string p in problems.Take(20)) report.Append("  - ").Append(p).Append('\n');
        report.Append("- temporary files of killed writers seen after a healing call (garbage, not state): ").Append(temporaryNotes.Count)
            .Append(", still there at the end: ").Append(Consistency.TemporaryFiles(h.StateRoot).Count).Append('\n');
        foreach (string t in temporaryNotes.Take(20)) report.Append("  - ").Append(t).Append('\n');
        _out.WriteLine(Report.Write("kill", report.ToString()));
        Assert.True(problems.Count == 0, report.ToString());
    }

    private static bool IsUp(Host h, Slot s) => Consistency.Records(h.StateRoot).Any(r => r.Ip == s.Ip);

    private static ProcessStartInfo Call(Host h, Slot s, string op)
    {
        string exe = op == "up" || s.Ganeti ? "gnt-com-ifup" : "gnt-com-ifdown";
        var env = s.Ganeti
            ? h.Sandbox.Env(("INTERFACE", s.Tap), ("MODE", "routed"), ("ACTION", op), ("IP", s.Ip), ("MAC", s.Mac))
            : h.Sandbox.Env(("IP", s.Ip), ("MAC", s.Mac));
        var args = new List<string> { "netns", "exec", h.Ns.Name, Repo.Bin(exe) };
        if (!s.Ganeti) args.Add(s.Tap);
        return Proc.StartInfo("ip", args, env);
    }

    private static ProcResult Run(Host h, Slot s, string op)
    {
        var psi = Call(h, s, op);
        return Proc.Run(psi.FileName, psi.ArgumentList, psi.Environment.ToDictionary(e => e.Key, e => e.Value), 60_000);
    }

    /// <summary>
    /// What qemu does when a guest stops: deletes its tap. A qemu slot whose guest is down but
    /// whose tap carries a channel name (its down ran) gets a fresh tap of its own name.
    /// </summary>
    private static void ActAsQemu(Host h, List<Slot> slots)
    {
        var records = Consistency.Records(h.StateRoot);
        foreach (var s in slots.Where(s => !s.Ganeti))
        {
            if (records.Any(r => r.Ip == s.Ip) || h.Ns.LinkExists(s.Tap)) continue;
            foreach (string line in h.Ns.Ip("-o", "link", "show").Split('\n'))
            {
                // An interface named gnt.com.N with no record: the slot's torn-down tap.
                string[] f = line.Split(": ");
                if (f.Length < 2) continue;
                string name = f[1].Split('@')[0];
                if (name.StartsWith("gnt.com.") && !records.Any(r => r.Name == name) && !slots.Any(o => o.Ganeti && o.Tap == name))
                    h.Ns.Ip("link", "del", name);
            }
            h.AddTap(s.Tap);
        }
    }

    private static double Median(List<double> xs)
    {
        if (xs.Count == 0) return 50;
        var sorted = xs.OrderBy(x => x).ToList();
        return sorted[sorted.Count / 2];
    }
}
