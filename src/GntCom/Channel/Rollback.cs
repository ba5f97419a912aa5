using System;
using System.Collections.Generic;
using System.Net;
using GntCom.Hooks;
using GntCom.Interop;
using GntCom.Logging;
using GntCom.Net;
using GntCom.Processes;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// Reverts a journal, newest step first, each best-effort: the host is left as it was
/// before the call, exactly (a sysctl gets back the value it had, a link its name and its
/// up/down state). Every undo is harmless when its step never happened (the call may have
/// been killed between writing the line and taking the step).
/// </summary>
internal static class Rollback
{
    /// <paramref name="forCaller"/>: reverting the caller's own failed call (hooks inherit its
    /// environment), not a killed call's journal found by another.
    public static void Run(Node n, IReadOnlyList<JournalEntry> entries, bool forCaller)
    {
        JournalEntry? channel = entries.Count > 0 && entries[0].Verb == "channel" ? entries[0] : null;
        for (int i = entries.Count - 1; i >= 0; i--)
        {
            var e = entries[i];
            try
            {
                Undo(n, e, channel, forCaller);
            }
            catch (Exception ex) when (ex is GntComException or System.IO.IOException)
            {
                Log.Warn("could not undo '" + e + "': " + ex.Message);
            }
        }
    }

    private static void Undo(Node n, JournalEntry e, JournalEntry? channel, bool forCaller)
    {
        var nl = n.Nl;
        switch (e.Verb)
        {
            case "rename":
            {
                int index = e.Int(0);
                string old = e.Args[1], now = e.Args[2];
                bool wasUp = e.Args[3] == "1";
                var link = nl.LinkByIndex(index);
                if (link == null) return;
                if (link.Name == now && nl.LinkByName(old) == null)
                {
                    if (link.IsUp) nl.LinkSetDown(index);
                    nl.LinkSetName(index, old);
                    link = link.WithUp(false);
                }
                if (wasUp && !link.IsUp) nl.LinkSetUp(index);
                if (!wasUp && link.IsUp) nl.LinkSetDown(index);
                return;
            }
            case "linkup":
                NetlinkHandle.IgnoreNotFound(() => nl.LinkSetDown(e.Int(0)));
                return;
            case "addr":
                NetlinkHandle.IgnoreNotFound(() => nl.AddrDel(e.Int(0), e.Ip(1), e.Int(2)));
                return;
            case "route":
            {
                uint metric = (uint)e.ULong(3);
                var route = new Route
                {
                    Destination = e.Ip(0), PrefixLength = e.Int(1), OutputIndex = e.Int(2),
                    Metric = metric == 0 ? null : metric,
                };
                NetlinkHandle.IgnoreNotFound(() => nl.RouteDel(route));
                return;
            }
            case "sysctl":
            {
                var link = nl.LinkByIndex(e.Int(1));
                if (link == null) return;
                string key = Sysctl.InterfaceKey(e.Args[0], link.Name, e.Args[2]);
                if (Sysctl.Exists(key)) Sysctl.Write(key, e.Args[3]);
                return;
            }
            case "txcsum":
            {
                var link = nl.LinkByIndex(e.Int(0));
                if (link != null) Ethtool.SetTxChecksum(link.Name, true);
                return;
            }
            case "isolation":
                if (!n.Store.HasRecords()) Isolation.Remove(nl, n.Cfg.Network);
                return;
            case "isolation6":
                Isolation.RemoveIpv6Rule(nl, e.Args[0]);
                return;
            case "dhcp":
                n.Dhcp.Remove(new ChannelRecord
                {
                    Name = e.Args[2], Original = e.Args[2], Index = 1, Ip = e.Ip(1), Mac = e.Args[0],
                });
                return;
            case "hooks":
                if (channel != null)
                    HookRunner.RunAll(System.IO.Path.Combine(n.Cfg.HooksDir, "ifdown.d"),
                        ChannelSetup.HookEnvironment(FromHeader(channel), "down", null), n.Cfg.HookTimeout, mustSucceed: false,
                        forCaller: forCaller);
                return;
            case "hookpg":
                KillHookGroup(e.Int(0), e.ULong(1));
                return;
            case "record":
                n.Store.DeleteRecord(e.Args[0]);
                return;
            case "reservation":
                n.Store.Save(new Reservation(e.Args[0], e.Ip(1), e.Args[2], e.Instance(3)));
                return;
            case "note":
                n.Store.Save(new VifNote(e.Int(0), e.Args[1], e.Args[2], e.Args[3]));
                return;
            case "notenew":
                n.Store.DeleteNote(e.Int(0));
                return;
            case "claim":
                n.Store.Unclaim(e.Args[0] == "ip" ? ClaimKind.Ip : ClaimKind.Mac, e.Args[1], e.Args[2]);
                return;
            case "origin":
                n.Store.DeleteOrigin(e.Args[0], e.Int(1));
                return;
        }
    }

    /// <summary>The record a "channel" header describes (for the ifdown hooks' environment).</summary>
    public static ChannelRecord FromHeader(JournalEntry h) => new()
    {
        Name = h.Args[0], Index = h.Int(1), Original = h.Args[2], Ip = h.Ip(3), Mac = h.Args[4],
        Kind = h.Args[5] == "vif" ? ChannelKind.Vif : ChannelKind.Tap, Instance = h.Instance(6),
    };

    /// <summary>
    /// Kills what is left of a hook's process group. The group's number cannot have been
    /// reused while any member lives; if the leader is alive it must be the same process
    /// (same start time), else the number was reused after the group died out.
    /// </summary>
    public static void KillHookGroup(int pgid, ulong startTime)
    {
        if (ProcStat.Read(pgid) is { HasExited: false } leader && (leader.StartTime != startTime || leader.ProcessGroup != pgid)) return;
        Libc.Kill(-pgid, Libc.SIGKILL);
    }
}
