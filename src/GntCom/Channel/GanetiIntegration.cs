using System.Collections.Generic;
using System.IO;
using System.Linq;
using GntCom.Config;
using GntCom.Dhcp;
using GntCom.Ganeti;
using GntCom.Hooks;
using GntCom.Logging;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>What `gnt-com ganeti enable|disable` did (or, with --dry-run, would do): actions, notes, failures.</summary>
public sealed record GanetiPlan(List<PlanAction> Actions, List<string> Notes, List<string> Failed, bool DryRun);

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
    private readonly Naming _naming;

    public GanetiIntegration(Node n, Naming naming)
    {
        _n = n;
        _naming = naming;
    }

    public GanetiPlan Enable(string runDir, bool dryRun)
    {
        runDir = GntComConfig.AbsolutePath(runDir, "--ganeti-run-dir"); // before anything changes
        using var dir = GanetiShims.OpenConfDir(_n.Cfg);
        // CONF_DIR is the node's, not this network namespace's: its own lock.
        using var confLock = HostLock.AcquireDirectory(dir, _n.Cfg.LockTimeout);
        var actions = new List<PlanAction>();
        var notes = new List<string>();
        var applied = InstallFiles(dir, dryRun, actions, notes);

        var adoption = new Adoption(_n, _naming).Run(runDir, dryRun);
        actions.AddRange(adoption.Actions);
        notes.AddRange(adoption.Skipped.Select(s => "skipped " + s));
        if (adoption.Failed.Count > 0 && !dryRun)
        {
            // The node stays Ganeti's: its scripts run again, its dnsmasq (left running)
            // serves, and the channels adopted before the failure are handed back.
            foreach (var r in adoption.Adopted)
            {
                ChannelHooks.Down(_n.Cfg, r, HookCaller.Other);
                ConfiguredChannel.HandOver(_n, r);
            }
            if (!_n.Store.HasRecords()) Isolation.Remove(_n.Nl, _n.Cfg.Network);
            Uninstall(dir, applied);
            actions.RemoveAll(a => a is InstallShim or KeepGanetiFile or InstallHook or DivertVifScript);
            notes.Add("Ganeti's scripts were put back: its own dnsmasq still serves every guest");
        }
        return new GanetiPlan(actions, notes, adoption.Failed, dryRun);
    }

    /// <summary>
    /// `gnt-com ganeti refresh` (the package's postinst, on an upgrade): what `enable`
    /// installs in CONF_DIR, as this version writes it. No adoption, no change to DHCP.
    /// </summary>
    public GanetiPlan Refresh(bool dryRun)
    {
        using var dir = GanetiShims.OpenConfDir(_n.Cfg);
        using var confLock = HostLock.AcquireDirectory(dir, _n.Cfg.LockTimeout);
        var actions = new List<PlanAction>();
        var notes = new List<string>();
        InstallFiles(dir, dryRun, actions, notes);
        return new GanetiPlan(actions, notes, new List<string>(), dryRun);
    }

    /// <summary>Plans GntCom's files in CONF_DIR (and, unless <paramref name="dryRun"/>, puts them there); returns what was carried out.</summary>
    private List<PlanAction> InstallFiles(StateDirectory dir, bool dryRun, List<PlanAction> actions, List<string> notes)
    {
        if (!dryRun) GanetiShims.RemoveTemporaryFiles(dir);
        var (ifup, config) = GanetiShims.Targets(_n.Cfg);
        foreach (string name in GanetiShims.Names) GanetiShims.PlanEnable(dir, name, ifup, config, actions, notes);
        GanetiHooks.PlanEnable(dir, GanetiHooks.GntCom(ifup), config, actions, notes);
        GanetiVifScript.PlanEnable(GanetiVifScript.VifGntCom(ifup), actions, notes);
        return dryRun ? new List<PlanAction>() : ApplyAll(dir, actions, notes);
    }

    /// <summary>Carries out the shim actions in order; on a failure undoes those carried out, then throws.</summary>
    private static List<PlanAction> ApplyAll(StateDirectory dir, List<PlanAction> actions, List<string> notes)
    {
        var applied = new List<PlanAction>();
        try
        {
            foreach (var a in actions)
            {
                if (GanetiShims.Apply(dir, a) is string aside) notes.Add(aside);
                GanetiHooks.Apply(dir, a);
                GanetiVifScript.Apply(a);
                applied.Add(a);
                if (a is InstallShim or RestoreGanetiFile or InstallHook or RemoveHook or DivertVifScript or UndivertVifScript)
                    Log.Info("ganeti: " + a.Describe());
            }
        }
        catch
        {
            Uninstall(dir, applied);
            throw;
        }
        return applied;
    }

    /// <summary>Takes back the shims and hooks an enable installed (an updated one of ours stays: it serves as well).</summary>
    private static void Uninstall(StateDirectory dir, List<PlanAction> applied)
    {
        foreach (var a in applied)
        {
            try
            {
                if (a is InstallShim { Update: false } shim) GanetiShims.Restore(dir, Path.GetFileName(shim.Path));
                else if (a is InstallHook { Update: false } hook) GanetiHooks.Apply(dir, new RemoveHook(hook.Path));
                else if (a is DivertVifScript { Update: false } divert) GanetiVifScript.Apply(new UndivertVifScript(divert.Path, GanetiVifScript.Diverted));
            }
            catch (GntComException e)
            {
                Log.Warn("ganeti: could not take back what '" + a.Describe() + "' did: " + e.Message);
            }
        }
    }

    public GanetiPlan Disable(string runDir, bool dryRun)
    {
        runDir = GntComConfig.AbsolutePath(runDir, "--ganeti-run-dir");
        using var dir = GanetiShims.OpenConfDir(_n.Cfg);
        using var confLock = HostLock.AcquireDirectory(dir, _n.Cfg.LockTimeout);
        if (!dryRun) GanetiShims.RemoveTemporaryFiles(dir);
        var actions = new List<PlanAction>();
        var notes = new List<string>();
        foreach (string name in GanetiShims.Names) GanetiShims.PlanDisable(dir, name, actions, notes);
        GanetiHooks.PlanDisable(dir, actions);
        GanetiVifScript.PlanDisable(actions);
        var records = _n.Store.Records();
        var live = records.Where(r => !r.Pending && _n.Nl.LinkByIndex(r.Index)?.Name == r.Name).ToList();
        actions.AddRange(live.Select(r => new HandBack(r)));
        int ours = _n.Dhcp.RunningPid();
        if (_n.Cfg.Dhcp == DhcpProvider.Dnsmasq && ours != 0) actions.Add(new StopGntComDnsmasq(ours));
        var ganeti = new GanetiDhcp(runDir);
        actions.AddRange(ganeti.Plan(live));
        if (dryRun) return new GanetiPlan(actions, notes, new List<string>(), true);

        ApplyAll(dir, actions, notes);
        foreach (var r in records)
        {
            if (live.Contains(r)) ConfiguredChannel.HandOver(_n, r);
            else ConfiguredChannel.TearDown(_n, r, HookCaller.Other); // vanished or unfinished: nothing to hand over
        }
        Isolation.Remove(_n.Nl, _n.Cfg.Network);
        // A rebooting or arriving Xen domain is Ganeti's to set up now, not a memory's.
        foreach (string name in _n.Store.MemoryNames()) _n.Store.DeleteMemory(name);
        foreach (var e in _n.Store.ExpectedChannels()) _n.Store.DeleteExpected(e.Mac);
        _n.Dhcp.Sync(new List<ChannelRecord>());
        ganeti.TakeOver(live);
        return new GanetiPlan(actions, notes, new List<string>(), false);
    }
}
