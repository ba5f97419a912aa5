using System.Collections.Generic;
using System.IO;
using System.Linq;
using GntCom.Config;
using GntCom.Dhcp;
using GntCom.Ganeti;
using GntCom.Inputs;
using GntCom.Logging;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>What `gnt-com ganeti enable|disable` did (or, with --dry-run, would do): actions, notes, failures.</summary>
public sealed record GanetiPlan(List<string> Actions, List<string> Notes, List<string> Failed, bool DryRun);

/// <summary>
/// Switches a Ganeti node between Ganeti's own channel scripts and GntCom, in one step each
/// way. Enable: GntCom's shims in place of CONF_DIR/kvm-ifup-os and xen-ifup-os (Ganeti's
/// files kept, see <see cref="GanetiShims"/>), then the live channels adopted and Ganeti's
/// dnsmasq replaced (<see cref="Adoption"/>); if a channel cannot be adopted, the shims are
/// taken back and the node stays Ganeti's. Disable: Ganeti's files back byte for byte, the
/// live channels left configured as Ganeti's scripts configure them (up, address, route)
/// but no longer GntCom's (no ifdown hooks run: the guests keep running), GntCom's
/// isolation rules and dnsmasq gone, and the guests' leases handed to Ganeti's dnsmasq
/// (started again from its own config when Ganeti had one, else at the next instance start).
/// </summary>
internal sealed class GanetiIntegration
{
    private readonly Node _n;
    private readonly ChannelSetup _setup;
    private readonly Naming _naming;

    public GanetiIntegration(Node n, ChannelSetup setup, Naming naming)
    {
        _n = n;
        _setup = setup;
        _naming = naming;
    }

    public GanetiPlan Enable(string runDir, bool dryRun)
    {
        var cfg = _n.Cfg;
        runDir = GntComConfig.AbsolutePath(runDir, "--ganeti-run-dir"); // before anything changes
        using var dir = GanetiShims.OpenConfDir(cfg);
        // CONF_DIR is the node's, not this network namespace's: its own lock.
        using var confLock = HostLock.AcquireDirectory(dir, cfg.LockTimeout);
        if (!dryRun) GanetiShims.RemoveTemporaryFiles(dir);
        var (ifup, config) = GanetiShims.Targets(cfg);
        var actions = new List<string>();
        var notes = new List<string>();
        var todo = new List<(string Name, string Text, ShimState State)>();
        foreach (string name in GanetiShims.Names)
        {
            string path = dir.Combine(name);
            string text = GanetiShims.Text(name, ifup, config);
            var state = GanetiShims.Inspect(dir, name, text);
            switch (state)
            {
                case ShimState.Current:
                    notes.Add(path + ": GntCom's shim already");
                    continue;
                case ShimState.Stale:
                    actions.Add("update GntCom's shim " + path + " (runs " + ifup + ")");
                    break;
                case ShimState.Absent:
                    actions.Add("install GntCom's shim as " + path + " (runs " + ifup + "; there was no such file)");
                    break;
                default:
                    if (GanetiShims.IsKeptCopy(dir, name))
                        notes.Add(path + " is Ganeti's copy kept as " + path + GanetiShims.SavedSuffix + " already");
                    else
                        actions.Add("keep Ganeti's " + path + " as " + path + GanetiShims.SavedSuffix
                            + (dir.Lstat(name + GanetiShims.SavedSuffix) != null ? " (replacing the older copy kept there)" : ""));
                    actions.Add("install GntCom's shim as " + path + " (runs " + ifup + ")");
                    break;
            }
            todo.Add((name, text, state));
        }

        var installed = new List<(string Name, ShimState State)>();
        if (!dryRun)
        {
            try
            {
                foreach (var (name, text, state) in todo)
                {
                    GanetiShims.Install(dir, name, text, state);
                    installed.Add((name, state));
                    Log.Info("ganeti: " + dir.Combine(name) + " is GntCom's shim" + (state == ShimState.Foreign ? " (Ganeti's kept as " + name + GanetiShims.SavedSuffix + ")" : ""));
                }
            }
            catch
            {
                Uninstall(dir, installed);
                throw;
            }
        }

        var adoption = new Adoption(_n, _setup, _naming).Run(runDir, dryRun);
        actions.AddRange(adoption.Actions);
        notes.AddRange(adoption.Skipped.Select(s => "skipped " + s));
        if (adoption.Failed.Count > 0 && !dryRun)
        {
            // The node stays Ganeti's: its scripts run again, its dnsmasq (left running)
            // serves, and the channels adopted before the failure are handed back.
            foreach (var r in adoption.Adopted) _setup.HandOver(r, runHooks: true);
            if (!_n.Store.HasRecords()) Isolation.Remove(_n.Nl, cfg.Network);
            Uninstall(dir, installed);
            actions.RemoveAll(a => a.Contains("GntCom's shim") || a.StartsWith("keep Ganeti's", System.StringComparison.Ordinal));
            notes.Add("Ganeti's scripts were put back: its own dnsmasq still serves every guest");
        }
        return new GanetiPlan(actions, notes, adoption.Failed, dryRun);
    }

    private static void Uninstall(StateDirectory dir, List<(string Name, ShimState State)> installed)
    {
        foreach (var (name, state) in installed)
        {
            if (state == ShimState.Stale) continue; // an older shim of ours: the updated one serves as well
            try
            {
                GanetiShims.Restore(dir, name);
            }
            catch (GntComException e)
            {
                Log.Warn("ganeti: could not put " + dir.Combine(name) + " back: " + e.Message);
            }
        }
    }

    public GanetiPlan Disable(string runDir, bool dryRun)
    {
        var cfg = _n.Cfg;
        runDir = GntComConfig.AbsolutePath(runDir, "--ganeti-run-dir");
        using var dir = GanetiShims.OpenConfDir(cfg);
        using var confLock = HostLock.AcquireDirectory(dir, cfg.LockTimeout);
        if (!dryRun) GanetiShims.RemoveTemporaryFiles(dir);
        var actions = new List<string>();
        var notes = new List<string>();
        var restore = new List<string>();
        var setAside = new List<string>();
        var dropLink = new List<string>();
        foreach (string name in GanetiShims.Names)
        {
            string path = dir.Combine(name);
            bool saved = dir.Lstat(name + GanetiShims.SavedSuffix) != null;
            bool absent = dir.Lstat(name) == null;
            if (GanetiShims.IsOurs(dir, name) || (absent && saved))
            {
                string? source = GanetiShims.RestoreSource(dir, name);
                actions.Add(source != null ? "put Ganeti's " + path + " back (from " + source + ")"
                    : "remove GntCom's shim " + path + " (there was no such file before)");
                restore.Add(name);
            }
            else if (absent)
                notes.Add(path + ": no shim and no Ganeti file kept, nothing to put back");
            else if (saved && GanetiShims.IsKeptCopy(dir, name))
            {
                // An enable stopped between keeping the copy and writing the shim: NAME is Ganeti's already.
                actions.Add("drop " + path + GanetiShims.SavedSuffix + ", a second name of Ganeti's " + path + " (left by an enable that was stopped)");
                dropLink.Add(name);
            }
            else
            {
                notes.Add(path + " is not GntCom's shim: left as it is"
                    + (saved ? " (the copy kept in " + path + GanetiShims.SavedSuffix + " is set aside as " + path + GanetiShims.OldSuffix + ")" : ""));
                if (saved) setAside.Add(name);
            }
        }

        var records = _n.Store.Records();
        var live = records.Where(r => !r.Pending && _n.Nl.LinkByIndex(r.Index)?.Name == r.Name).ToList();
        foreach (var r in live) actions.Add("hand " + r.Describe() + " back to Ganeti's scripts (it stays up, addressed and routed)");
        int ours = _n.Dhcp.RunningPid();
        if (cfg.Dhcp == DhcpProvider.Dnsmasq && ours != 0) actions.Add("stop GntCom's dnsmasq (pid " + ours + ")");
        var ganeti = new GanetiDhcp(runDir);
        actions.AddRange(ganeti.Plan(live));
        if (dryRun) return new GanetiPlan(actions, notes, new List<string>(), true);

        foreach (string name in restore)
        {
            if (GanetiShims.Restore(dir, name) is string aside) notes.Add(aside);
            Log.Info("ganeti: " + dir.Combine(name) + " is Ganeti's again");
        }
        // Ganeti's file is in place already (a ganeti upgrade's): the older copy goes aside.
        foreach (string name in setAside) dir.Rename(name + GanetiShims.SavedSuffix, name + GanetiShims.OldSuffix);
        foreach (string name in dropLink) dir.Delete(name + GanetiShims.SavedSuffix);
        foreach (var r in records)
        {
            if (live.Contains(r)) _setup.HandOver(r, runHooks: false);
            else _setup.TearDown(r, null, forCaller: false); // vanished or unfinished: nothing to hand over
        }
        Isolation.Remove(_n.Nl, cfg.Network);
        // A rebooting Xen domain is Ganeti's to set up now, not a memory's.
        foreach (string name in _n.Store.MemoryNames()) _n.Store.DeleteMemory(name);
        _n.Dhcp.Sync(new List<ChannelRecord>());
        ganeti.TakeOver(live);
        return new GanetiPlan(actions, notes, new List<string>(), false);
    }
}
