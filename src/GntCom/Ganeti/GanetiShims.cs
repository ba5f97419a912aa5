using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GntCom.Channel;
using GntCom.Config;
using GntCom.Inputs;
using GntCom.State;

namespace GntCom.Ganeti;

/// <summary>What is at CONF_DIR/NAME, seen from GntCom.</summary>
public enum ShimState
{
    /// <summary>Nothing: Ganeti runs no script for the channel.</summary>
    Absent,
    /// <summary>GntCom's shim as `gnt-com ganeti enable` would write it now.</summary>
    Current,
    /// <summary>A GntCom shim naming other paths (written by an older install, or with another config).</summary>
    Stale,
    /// <summary>Anything else: Ganeti's own script (a conffile of the ganeti package), the admin's, a link.</summary>
    Foreign,
}

/// <summary>
/// GntCom's shims in place of Ganeti's channel NIC scripts, CONF_DIR/kvm-ifup-os and
/// CONF_DIR/xen-ifup-os (CONF_DIR is ganeti_dir, /etc/ganeti). Ganeti runs them for an
/// instance's communication NIC: 3.x's kvm-ifup sources kvm-ifup-os with bash (when it is
/// executable) and goes on; master executes it with ACTION=up|down; xen-ifup-os runs
/// through `sh -c` after `xl create`. So a shim is POSIX sh that runs gnt-com-ifup, ends
/// its caller with gnt-com-ifup's status on failure and otherwise returns (sourced) or
/// exits 0, and sets no shell variable (they would leak into a sourcing caller).
/// Both files are conffiles of Debian's ganeti package. Ganeti's file is kept beside the
/// shim as NAME.gnt-com-orig, a hard link (the very same bytes, mode and owner), and the
/// shim replaces NAME atomically (there is never a moment without a script); disable
/// renames Ganeti's file back. To dpkg the conffile is then one the admin changed.
/// </summary>
public static class GanetiShims
{
    public static readonly IReadOnlyList<string> Names = new[] { "kvm-ifup-os", "xen-ifup-os" };
    public const string SavedSuffix = ".gnt-com-orig";
    private const string Marker = "# GntCom's shim for Ganeti's ";

    /// <summary>The shim for CONF_DIR/<paramref name="name"/>, running <paramref name="ifup"/> (with <paramref name="config"/>, when not the default).</summary>
    public static string Text(string name, string ifup, string? config) =>
        "#!/bin/sh\n" +
        Marker + name + ", put here by `gnt-com ganeti enable`. Ganeti's own\n" +
        "# " + name + " is kept beside it as " + name + SavedSuffix + "; `gnt-com ganeti disable` puts\n" +
        "# it back. To dpkg this is a conffile the admin changed: when a ganeti upgrade\n" +
        "# brings a new version of it, keep this one (N); see gnt-com(8).\n" +
        "#\n" +
        "# Ganeti runs it for an instance's communication NIC (MODE=routed, interface\n" +
        "# gnt.com.N) with INTERFACE, MODE, IP, MAC, INSTANCE... in the environment:\n" +
        "# gnt-com-ifup makes the interface a GntCom channel (address, host route,\n" +
        "# isolation, DHCP entry, hooks) and leaves other NICs alone. Ganeti 3.x sources\n" +
        "# kvm-ifup-os (so a failure ends the caller, success returns to it); master\n" +
        "# executes it, with ACTION=up or down; xen-ifup-os runs through sh -c after\n" +
        "# xl create. It sets no shell variable, which would leak into a sourcing caller.\n" +
        ifup + (config != null ? " --config " + config : "") + " || exit\n" +
        "return 0 2>/dev/null || exit 0\n";

    /// <summary>
    /// What a shim runs: gnt-com-ifup beside the running executable and the config file in
    /// use (none when the defaults apply). Both are written into a shell script that root
    /// runs: safe characters only, and gnt-com-ifup must be root's.
    /// </summary>
    public static (string Ifup, string? Config) Targets(GntComConfig cfg)
    {
        string exe = Environment.ProcessPath ?? throw new GntComException("cannot tell where this gnt-com is installed");
        string dir = Path.GetDirectoryName(exe) ?? "/";
        string ifup = Path.Combine(dir, "gnt-com-ifup");
        if (!File.Exists(ifup)) throw new GntComException(ifup + " does not exist: install GntCom whole (make install, or the package)");
        // Every directory on the way, as for a hook: root alone may be able to swap it.
        if (Hooks.HookTrust.Refusal(ifup, dir, out string resolved) is string why)
            throw new GntComException("gnt-com-ifup " + ifup + ": " + why + ": Ganeti would run it as root");
        ifup = GntComConfig.AbsolutePath(resolved, "gnt-com-ifup");
        // The default config needs no --config (and may appear later without making the shim stale).
        string? config = cfg.Source is "defaults" or GntComConfig.DefaultPath ? null
            : GntComConfig.AbsolutePath(Path.GetFullPath(cfg.Source), "config");
        return (ifup, config);
    }

    /// <summary>The most read of a file in CONF_DIR to tell a shim (a shim is under 2 KiB).</summary>
    private const int ShimMax = 64 * 1024;

    /// <summary>CONF_DIR/NAME's text when it is a regular file small enough to be a shim, else null (a huge file is nobody's shim).</summary>
    private static string? SmallText(StateDirectory dir, string name, bool follow = false) =>
        Interop.Libc.ReadForeignFile(dir.Fd, name, ShimMax, followLast: follow);

    /// <summary>What CONF_DIR/<paramref name="name"/> is, against the shim that would be written now (<paramref name="expected"/>).</summary>
    public static ShimState Inspect(StateDirectory dir, string name, string expected)
    {
        var st = dir.Lstat(name);
        if (st == null) return ShimState.Absent;
        if (IsOurs(dir, name)) return st.Value.IsRegular && SmallText(dir, name) == expected ? ShimState.Current : ShimState.Stale;
        return ShimState.Foreign;
    }

    /// <summary>
    /// Whether CONF_DIR/<paramref name="name"/> is a GntCom shim: one `enable` wrote, or a
    /// symlink to one (GntCom 0.2 had admins link PREFIX/share/gnt-com/ganeti/NAME there).
    /// </summary>
    public static bool IsOurs(StateDirectory dir, string name)
    {
        var st = dir.Lstat(name);
        if (st == null) return false;
        if (st.Value.IsRegular) return SmallText(dir, name) is string own && IsShim(own);
        if (!st.Value.IsSymlink) return false;
        return SmallText(dir, name, follow: true) is string target ? IsShim(target)
            : (dir.ReadLink(name) ?? "").Contains("/gnt-com/ganeti/", StringComparison.Ordinal);
    }

    /// <summary>Whether NAME is the copy already kept as NAME.gnt-com-orig (a hard link to it, or a symlink to it): nothing to keep then.</summary>
    public static bool IsKeptCopy(StateDirectory dir, string name) => dir.SameFile(name, name + SavedSuffix);

    /// <summary>Whether <paramref name="text"/> is a GntCom shim (of any version).</summary>
    public static bool IsShim(string text) =>
        text.StartsWith("#!/bin/sh\n" + Marker, StringComparison.Ordinal)
        || (text.StartsWith("#!/bin/sh\n# GntCom's ", StringComparison.Ordinal) && text.Contains("gnt-com-ifup", StringComparison.Ordinal));

    /// <summary>What `ganeti enable` does to CONF_DIR/NAME (actions) and what it finds already right (notes).</summary>
    public static void PlanEnable(StateDirectory dir, string name, string ifup, string? config, List<PlanAction> actions, List<string> notes)
    {
        string path = dir.Combine(name);
        string text = Text(name, ifup, config);
        switch (Inspect(dir, name, text))
        {
            case ShimState.Current:
                notes.Add(path + ": GntCom's shim already");
                return;
            case ShimState.Stale:
                actions.Add(new InstallShim(path, ifup, Update: true, WasAbsent: false, text));
                return;
            case ShimState.Absent:
                actions.Add(new InstallShim(path, ifup, Update: false, WasAbsent: true, text));
                return;
            default:
                if (IsKeptCopy(dir, name))
                    notes.Add(path + " is Ganeti's copy kept as " + path + SavedSuffix + " already");
                else
                    actions.Add(new KeepGanetiFile(path, path + SavedSuffix, ReplacesOlderCopy: dir.Lstat(name + SavedSuffix) != null));
                actions.Add(new InstallShim(path, ifup, Update: false, WasAbsent: false, text));
                return;
        }
    }

    /// <summary>What `ganeti disable` does to CONF_DIR/NAME (actions) and what it leaves (notes).</summary>
    public static void PlanDisable(StateDirectory dir, string name, List<PlanAction> actions, List<string> notes)
    {
        string path = dir.Combine(name);
        bool saved = dir.Lstat(name + SavedSuffix) != null;
        bool absent = dir.Lstat(name) == null;
        if (IsOurs(dir, name) || (absent && saved))
            actions.Add(new RestoreGanetiFile(path, RestoreSource(dir, name)));
        else if (absent)
            notes.Add(path + ": no shim and no Ganeti file kept, nothing to put back");
        else if (saved && IsKeptCopy(dir, name))
            actions.Add(new DropSecondName(path, path + SavedSuffix)); // an enable stopped between keeping the copy and writing the shim
        else if (saved)
            actions.Add(new SetAsideKeptCopy(path, path + SavedSuffix, path + OldSuffix));
        else
            notes.Add(path + " is not GntCom's shim: left as it is");
    }

    /// <summary>
    /// Carries out one shim action of a plan (others are not this file's); returns a note
    /// when something was set aside. Keeping Ganeti's file is a hard link: the very same
    /// bytes, and the shim then replaces NAME atomically.
    /// </summary>
    public static string? Apply(StateDirectory dir, PlanAction action)
    {
        switch (action)
        {
            case KeepGanetiFile k:
                string name = Path.GetFileName(k.Path);
                dir.Link(name, name + SavedSuffix);
                return null;
            case InstallShim i:
                dir.Write(Path.GetFileName(i.Path), i.Text, 0b111_101_101);
                return null;
            case RestoreGanetiFile r:
                return Restore(dir, Path.GetFileName(r.Path));
            case DropSecondName d:
                dir.Delete(Path.GetFileName(d.KeptAs));
                return null;
            case SetAsideKeptCopy a:
                dir.Rename(Path.GetFileName(a.KeptAs), Path.GetFileName(a.OldAs));
                return null;
            default:
                return null;
        }
    }

    /// <summary>Where Debian's ganeti package keeps the pristine copies of its ifup-os scripts.</summary>
    public const string PackageDefaults = "/usr/lib/ganeti";

    /// <summary>Where a kept copy that is no longer Ganeti's latest goes: aside, never deleted.</summary>
    public const string OldSuffix = ".gnt-com-old";

    /// <summary>
    /// Where <see cref="Restore"/> takes Ganeti's own file from: the version dpkg left beside
    /// the shim when a ganeti upgrade came after `enable` kept a copy and the admin kept the
    /// shim (NAME.dpkg-dist, newer than the kept copy: what dpkg now expects), else the file
    /// `enable` kept (NAME.gnt-com-orig), else the package's pristine copy
    /// (PackageDefaults/NAME: the file was a GntCom 0.2 link), else nowhere (null: the shim
    /// is removed).
    /// </summary>
    public static string? RestoreSource(StateDirectory dir, string name)
    {
        var kept = dir.Lstat(name + SavedSuffix);
        if (dir.Lstat(name + ".dpkg-dist") is { IsRegular: true } dist && (kept == null || dist.ChangedAfter(kept.Value)))
            return dir.Combine(name + ".dpkg-dist");
        if (kept != null) return dir.Combine(name + SavedSuffix);
        string pristine = Path.Combine(PackageDefaults, name);
        return File.Exists(pristine) ? pristine : null;
    }

    /// <summary>
    /// Undoes <see cref="Install"/>: Ganeti's own file back from <see cref="RestoreSource"/>,
    /// atomically; a kept copy that a newer .dpkg-dist outdates is set aside as
    /// NAME.gnt-com-old. Returns a note when something was set aside.
    /// </summary>
    public static string? Restore(StateDirectory dir, string name)
    {
        string? source = RestoreSource(dir, name);
        if (source == dir.Combine(name + ".dpkg-dist"))
        {
            dir.Rename(name + ".dpkg-dist", name);
            if (dir.Lstat(name + SavedSuffix) == null) return null;
            dir.Rename(name + SavedSuffix, name + OldSuffix);
            return dir.Combine(name + SavedSuffix) + " (older than the upgrade's) is kept as " + dir.Combine(name + OldSuffix);
        }
        if (source == dir.Combine(name + SavedSuffix))
            dir.Rename(name + SavedSuffix, name);
        else if (source != null && Interop.Libc.ReadForeignFile(Interop.Libc.AT_FDCWD, source, 1 << 20, followLast: true) is string text)
            dir.Write(name, text, 0b111_101_101);
        else
            dir.Delete(name);
        return null;
    }

    /// <summary>Removes what a killed enable or disable left in CONF_DIR (NAME.tmp-PID, NAME.gnt-com-orig.tmp-PID of the two names only).</summary>
    public static void RemoveTemporaryFiles(StateDirectory dir)
    {
        foreach (string f in dir.List())
            if (Names.Any(n => f.StartsWith(n + StateDirectory.TempMarker, StringComparison.Ordinal)
                    || f.StartsWith(n + SavedSuffix + StateDirectory.TempMarker, StringComparison.Ordinal)))
                dir.Delete(f);
    }

    /// <summary>Whether Ganeti's own channel scripts are in CONF_DIR (no GntCom shim there): the gnt.com.N interfaces are theirs.</summary>
    public static bool GanetisScriptsInPlace(GntComConfig cfg)
    {
        if (!Directory.Exists(cfg.GanetiDir)) return false;
        try
        {
            using var dir = StateDirectory.Open(cfg.GanetiDir, create: false, "ganeti_dir");
            return Names.Any(n => dir.Lstat(n) != null) && !Names.Any(n => IsOurs(dir, n));
        }
        catch (GntComException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether GntCom is enabled for Ganeti here, even in part: a GntCom shim, or a Ganeti
    /// file `enable` kept (NAME.gnt-com-orig), in CONF_DIR. False without CONF_DIR.
    /// </summary>
    public static bool IsEnabled(GntComConfig cfg)
    {
        if (!Directory.Exists(cfg.GanetiDir)) return false;
        using var dir = StateDirectory.Open(cfg.GanetiDir, create: false, "ganeti_dir");
        return Names.Any(n => IsOurs(dir, n) || dir.Lstat(n + SavedSuffix) != null) || GanetiHooks.AnyInstalled(dir) || GanetiVifScript.IsOurs();
    }

    /// <summary>Fails, saying so, when there is no CONF_DIR (Ganeti is not installed here).</summary>
    public static void RequireConfDir(GntComConfig cfg)
    {
        if (!Directory.Exists(cfg.GanetiDir))
            throw new GntComException("ganeti_dir " + cfg.GanetiDir + " does not exist: is Ganeti installed here? (apt-get install ganeti)");
    }

    /// <summary>Opens CONF_DIR, which must exist and be root's.</summary>
    public static StateDirectory OpenConfDir(GntComConfig cfg)
    {
        RequireConfDir(cfg);
        return StateDirectory.Open(cfg.GanetiDir, create: false, "ganeti_dir");
    }

    /// <summary>
    /// How the shims differ from what `gnt-com ganeti enable` left (for gnt-com check): only
    /// where enable kept a Ganeti file (NAME.gnt-com-orig) or a shim is found, so a node
    /// that never enabled GntCom for Ganeti has nothing to report.
    /// </summary>
    public static List<string> Check(GntComConfig cfg)
    {
        var problems = new List<string>();
        if (!Directory.Exists(cfg.GanetiDir)) return problems;
        try
        {
            using var dir = StateDirectory.Open(cfg.GanetiDir, create: false, "ganeti_dir");
            (string ifup, string? config)? targets = null;
            foreach (string name in Names)
            {
                string path = dir.Combine(name);
                bool saved = dir.Lstat(name + SavedSuffix) != null;
                bool shim = IsOurs(dir, name);
                string? text = shim && dir.Lstat(name) is { IsRegular: true } ? SmallText(dir, name) : null;
                if (saved && !shim)
                    problems.Add("ganeti: " + path + " is no longer GntCom's shim (a ganeti upgrade may have installed its own):"
                        + " Ganeti's script runs its own dnsmasq beside GntCom's; run 'gnt-com ganeti enable' again");
                else if (shim)
                {
                    targets ??= Targets(cfg);
                    if (text != Text(name, targets.Value.ifup, targets.Value.config))
                        problems.Add("ganeti: " + path + " is a GntCom shim for another installation or config: run 'gnt-com ganeti enable' again");
                }
            }
            // Enabled (a shim of GntCom's is in place): its migration hooks belong with it.
            if (targets is var (ifup, config))
            {
                GanetiHooks.Check(dir, GanetiHooks.GntCom(ifup), config, problems);
                GanetiVifScript.Check(GanetiVifScript.VifGntCom(ifup), problems);
            }
        }
        catch (GntComException e)
        {
            problems.Add("ganeti: " + e.Message);
        }
        return problems;
    }
}
