using System;
using System.Collections.Generic;
using System.IO;
using GntCom.Channel;
using GntCom.State;

namespace GntCom.Ganeti;

/// <summary>
/// GntCom's Ganeti hooks, CONF_DIR/hooks/instance-migrate-pre.d/gnt-com and
/// instance-migrate-post.d/gnt-com (Ganeti runs them with run-parts rules, on the master,
/// the source and the target, in a fresh environment of GANETI_* variables). They run
/// `gnt-com ganeti hook`: before a live migration the target learns which channel is coming
/// (the instance's communication NIC: IP, MAC), so that a Xen vif libxl brings online there
/// gets its channel (Ganeti runs no xen-ifup-os on a migration target); after it, what was
/// not used goes. `ganeti enable` installs them, `disable` removes them, `check` lists them
/// when missing. A hook of GntCom's never fails a migration.
/// </summary>
public static class GanetiHooks
{
    public static readonly IReadOnlyList<string> Dirs = new[] { "instance-migrate-pre.d", "instance-migrate-post.d" };
    public const string FileName = "gnt-com";
    private const string Marker = "# GntCom's Ganeti hook for ";

    public static string Text(string dir, string gntCom, string? config) =>
        "#!/bin/sh\n" +
        Marker + dir.Replace(".d", "", StringComparison.Ordinal) + ", put here by `gnt-com ganeti enable`\n" +
        "# (`gnt-com ganeti disable` removes it). On a live migration's target it tells GntCom\n" +
        "# which channel is coming (the instance's communication NIC), so that the channel is\n" +
        "# ready when the instance's interface appears there; it never fails the migration.\n" +
        "exec " + gntCom + (config != null ? " --config " + config : "") + " ganeti hook\n";

    /// <summary>What `gnt-com` the hooks run: the one beside gnt-com-ifup.</summary>
    public static string GntCom(string ifup) => Path.Combine(Path.GetDirectoryName(ifup) ?? "/", "gnt-com");

    private static string HookPath(StateDirectory conf, string dir) => conf.Combine("hooks/" + dir + "/" + FileName);

    /// <summary>The hook file's text, null when there is none (or it is no regular file of ours: a huge one is nobody's hook).</summary>
    private static string? Read(StateDirectory conf, string dir)
    {
        var hooks = conf.Sub("hooks", create: false)?.Sub(dir, create: false);
        return hooks == null ? null : Interop.Libc.ReadForeignFile(hooks.Fd, FileName, 64 * 1024, followLast: false);
    }

    private static bool IsOurs(string? text) => text != null && text.StartsWith("#!/bin/sh\n" + Marker, StringComparison.Ordinal);

    public static void PlanEnable(StateDirectory conf, string gntCom, string? config, List<PlanAction> actions, List<string> notes)
    {
        foreach (string dir in Dirs)
        {
            string text = Text(dir, gntCom, config);
            string? have = Read(conf, dir);
            if (have == text) notes.Add(HookPath(conf, dir) + ": GntCom's hook already");
            else if (have != null && !IsOurs(have)) notes.Add(HookPath(conf, dir) + " is not GntCom's hook: left as it is (GntCom's migration hook is missing)");
            else actions.Add(new InstallHook(HookPath(conf, dir), gntCom + " ganeti hook", Update: have != null, text));
        }
    }

    public static void PlanDisable(StateDirectory conf, List<PlanAction> actions)
    {
        foreach (string dir in Dirs)
            if (IsOurs(Read(conf, dir))) actions.Add(new RemoveHook(HookPath(conf, dir)));
    }

    /// <summary>Carries out a hook action (others are not this file's); the hooks directories are made when missing.</summary>
    public static void Apply(StateDirectory conf, PlanAction action)
    {
        switch (action)
        {
            case InstallHook i:
                conf.Sub("hooks", create: true)!.Sub(DirOf(i.Path), create: true)!.Write(FileName, i.Text, 0b111_101_101);
                return;
            case RemoveHook r:
                conf.Sub("hooks", create: false)?.Sub(DirOf(r.Path), create: false)?.Delete(FileName);
                return;
        }
    }

    private static string DirOf(string hookPath) => Path.GetFileName(Path.GetDirectoryName(hookPath)!);

    /// <summary>Whether any hook of GntCom's is in CONF_DIR.</summary>
    public static bool AnyInstalled(StateDirectory conf)
    {
        foreach (string dir in Dirs) if (IsOurs(Read(conf, dir))) return true;
        return false;
    }

    /// <summary>How the hooks differ from what `enable` installs (for gnt-com check, on an enabled node).</summary>
    public static void Check(StateDirectory conf, string gntCom, string? config, List<string> problems)
    {
        foreach (string dir in Dirs)
        {
            string? have = Read(conf, dir);
            if (have == Text(dir, gntCom, config)) continue;
            problems.Add("ganeti: " + HookPath(conf, dir) + (have == null ? " is missing" : IsOurs(have) ? " is a GntCom hook for another installation or config" : " is not GntCom's hook")
                + ": a live-migrated Xen instance gets no channel on its new node; run 'gnt-com ganeti enable' again");
        }
    }
}
