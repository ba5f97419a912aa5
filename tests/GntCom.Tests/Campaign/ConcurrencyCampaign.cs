using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using GntCom.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace GntCom.Tests.Campaign;

/// <summary>
/// 64 guests going up and down 20 times each, all at once (half through qemu's scripts on
/// taps that are deleted and re-created between rounds, half through Ganeti's protocol on
/// fixed names), with a real dnsmasq: every call succeeds, every up is its own guest's
/// (record and route name its IP), and at the end nothing is left.
/// </summary>
public sealed class ConcurrencyCampaign
{
    private readonly ITestOutputHelper _out;
    public ConcurrencyCampaign(ITestOutputHelper output) => _out = output;

    [CampaignFact("dnsmasq")]
    public void Sixty_four_workers_twenty_rounds()
    {
        int workers = CampaignFactAttribute.Size("GNT_COM_WORKERS", 64, 16);
        int rounds = CampaignFactAttribute.Size("GNT_COM_ROUNDS", 20, 4);
        using var h = new Host("dhcp = dnsmasq\n");
        for (int i = 0; i < workers; i++) h.AddTap(Tap(i));
        var problems = new ConcurrentQueue<string>();
        int calls = 0, ups = 0, downs = 0;
        long maxMs = 0;

        void Worker(int i)
        {
            bool ganeti = i % 2 == 1;
            string ip = "169.254." + (20 + i / 200) + "." + (i % 200 + 1);
            string mac = "52:54:00:20:" + (i / 200).ToString("x2") + ":" + (i % 200 + 1).ToString("x2");
            for (int round = 0; round < rounds; round++)
            {
                var sw = System.Diagnostics.Stopwatch.StartNew();
                var up = Call(h, i, ganeti, "up", ip, mac);
                Interlocked.Increment(ref calls);
                Interlocked.Increment(ref ups);
                if (up.Code != 0) { problems.Enqueue("worker " + i + " round " + round + " up: " + up); return; }
                // The channel that came up is this guest's: its record and its route say so.
                var m = Regex.Match(up.Err, @"up (gnt\.com\.\d+) .*ip=" + Regex.Escape(ip) + " ");
                if (!m.Success) { problems.Enqueue("worker " + i + " round " + round + ": up said " + up.Err.Trim()); return; }
                string name = m.Groups[1].Value;
                string record = File.ReadAllText(Path.Combine(h.StateRoot, "ifaces", name));
                if (!record.Contains("ip=" + ip + "\n") || !record.Contains("mac=" + mac + "\n"))
                    problems.Enqueue("worker " + i + " round " + round + ": record " + name + " is " + record.Replace('\n', ' '));
                if (!h.Ns.Ip("-4", "route", "show", ip + "/32").Contains("dev " + name + " "))
                    problems.Enqueue("worker " + i + " round " + round + ": " + ip + " is not routed to " + name);

                var down = Call(h, i, ganeti, "down", ip, mac);
                Interlocked.Increment(ref calls);
                Interlocked.Increment(ref downs);
                if (down.Code != 0) { problems.Enqueue("worker " + i + " round " + round + " down: " + down); return; }
                long ms = sw.ElapsedMilliseconds;
                long seen;
                while (ms > (seen = Interlocked.Read(ref maxMs)) && Interlocked.CompareExchange(ref maxMs, ms, seen) != seen) { }
                if (!ganeti)
                {
                    // qemu: the guest stopped, its tap (its own name again after the down) goes;
                    // the next start has a new one.
                    h.Ns.Ip("link", "del", Tap(i));
                    h.AddTap(Tap(i));
                }
            }
        }

        var threads = Enumerable.Range(0, workers).Select(i => new Thread(() =>
        {
            try { Worker(i); }
            catch (Exception e) { problems.Enqueue("worker " + i + ": " + e.GetType().Name + ": " + e.Message); }
        })).ToList();
        var total = System.Diagnostics.Stopwatch.StartNew();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        total.Stop();

        // The hypervisor deletes the stopped guests' interfaces (Ganeti's keep their channel name until then).
        for (int i = 1; i < workers; i += 2) h.Ns.Ip("link", "del", Tap(i));
        var end = Consistency.Check(h, dhcp: true);
        foreach (string t in Consistency.TemporaryFiles(h.StateRoot)) problems.Enqueue("temporary file left: " + t);
        foreach (string p in end) problems.Enqueue("at the end: " + p);
        if (Consistency.Records(h.StateRoot).Count != 0) problems.Enqueue("records left at the end");
        var check = h.Admin("check");
        if (check.Code != 0) problems.Enqueue("gnt-com check at the end: " + check);

        var report = new StringBuilder();
        report.Append("Concurrency campaign: ").Append(workers).Append(" workers x ").Append(rounds).Append(" rounds of up+down (half qemu, half Ganeti), dnsmasq on\n");
        report.Append("- calls: ").Append(calls).Append(" (up ").Append(ups).Append(", down ").Append(downs).Append(") in ").Append(total.Elapsed.TotalSeconds.ToString("F1")).Append(" s; slowest up+down pair ").Append(maxMs).Append(" ms\n");
        report.Append("- problems: ").Append(problems.Count).Append('\n');
        foreach (string p in problems.Take(20)) report.Append("  - ").Append(p).Append('\n');
        _out.WriteLine(Report.Write("concurrency", report.ToString()));
        Assert.True(problems.IsEmpty, report.ToString());
    }

    private static string Tap(int i) => i % 2 == 1 ? "gnt.com." + (100 + i) : "ct" + i;

    private static ProcResult Call(Host h, int i, bool ganeti, string op, string ip, string mac) =>
        ganeti
            ? h.Run("gnt-com-ifup", Array.Empty<string>(), ("INTERFACE", Tap(i)), ("MODE", "routed"), ("ACTION", op), ("IP", ip), ("MAC", mac))
            : op == "up" ? h.Ifup(Tap(i), ip, mac) : h.Ifdown(Tap(i));
}
