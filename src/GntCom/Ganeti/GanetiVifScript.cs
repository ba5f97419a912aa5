using System;
using System.Collections.Generic;
using System.IO;
using GntCom.Channel;
using GntCom.Interop;
using GntCom.Processes;

namespace GntCom.Ganeti;

/// <summary>
/// Ganeti's Xen vif script for the communication NIC, PKGLIBDIR/vif-ganeti-metad: a fixed
/// path in every Xen vif spec Ganeti writes for it (hv_xen's _WriteNicConfig), whatever
/// vif_script says. Ganeti's own script only renames the vif, so a Xen domain Ganeti
/// restarts or live-migrates gets no channel. `ganeti enable` puts vif-gnt-com in its place
/// the way Debian replaces another package's file: `dpkg-divert --local --rename` keeps
/// Ganeti's script as vif-ganeti-metad.distrib (a ganeti upgrade's copy goes there too) and
/// a symlink to vif-gnt-com takes the name; `disable` removes both. A node without the
/// file (no Ganeti package, or a KVM-only install without it) is left alone.
/// </summary>
public static class GanetiVifScript
{
    public const string Path = GanetiShims.PackageDefaults + "/vif-ganeti-metad";
    public const string Diverted = Path + ".distrib";
    private const string DpkgDivert = "/usr/bin/dpkg-divert";

    /// <summary>What vif-gnt-com the link names: the one beside gnt-com-ifup.</summary>
    public static string VifGntCom(string ifup) => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(ifup) ?? "/", "vif-gnt-com");

    private static string? LinkTarget()
    {
        if (Libc.FStatAt(Libc.AT_FDCWD, Path, out var st, Libc.AT_SYMLINK_NOFOLLOW) != 0 || !st.IsSymlink) return null;
        try { return File.ResolveLinkTarget(Path, returnFinalTarget: false)?.FullName; }
        catch (IOException) { return null; }
    }

    /// <summary>Whether the file is GntCom's link (to a vif-gnt-com of any installation).</summary>
    public static bool IsOurs() => LinkTarget() is string t && t.EndsWith("/vif-gnt-com", StringComparison.Ordinal);

    public static void PlanEnable(string vifGntCom, List<PlanAction> actions, List<string> notes)
    {
        if (LinkTarget() == vifGntCom) notes.Add(Path + ": vif-gnt-com already");
        else if (IsOurs()) actions.Add(new DivertVifScript(Path, vifGntCom, Update: true));
        else if (File.Exists(Path) || File.Exists(Diverted)) actions.Add(new DivertVifScript(Path, vifGntCom, Update: false));
    }

    public static void PlanDisable(List<PlanAction> actions)
    {
        if (IsOurs()) actions.Add(new UndivertVifScript(Path, Diverted));
    }

    /// <summary>Carries out a vif script action (others are not this file's).</summary>
    public static void Apply(PlanAction action)
    {
        switch (action)
        {
            case DivertVifScript d:
                if (!d.Update && !File.Exists(Diverted)) Divert("--add");
                Link(d.VifGntCom);
                return;
            case UndivertVifScript:
                if (IsOurs()) File.Delete(Path);
                Divert("--remove");
                return;
        }
    }

    /// <summary>How the vif script differs from what `enable` puts there (for gnt-com check, on an enabled node with Ganeti's file).</summary>
    public static void Check(string vifGntCom, List<string> problems)
    {
        if (LinkTarget() == vifGntCom || !(File.Exists(Path) || File.Exists(Diverted))) return;
        problems.Add("ganeti: " + Path + " is not vif-gnt-com: a Xen instance Ganeti restarts or live-migrates gets no channel;"
            + " run 'gnt-com ganeti enable' again");
    }

    private static void Divert(string what)
    {
        if (!File.Exists(DpkgDivert)) throw new GntComException(DpkgDivert + " is missing: cannot divert " + Path);
        var (code, output) = ChildProcess.Run(DpkgDivert, new[] { "--local", "--rename", "--divert", Diverted, what, Path },
            new Dictionary<string, string> { ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin", ["LC_ALL"] = "C" }, TimeSpan.FromSeconds(30));
        if (code != 0)
            throw new GntComException("dpkg-divert " + what + " " + Path + " failed (exit " + code + "): " + output.Trim().Replace('\n', ' '));
    }

    /// <summary>PATH becomes a symlink to <paramref name="target"/>, atomically.</summary>
    private static void Link(string target)
    {
        string tmp = Path + StateTmp();
        File.Delete(tmp);
        File.CreateSymbolicLink(tmp, target);
        File.Move(tmp, Path, overwrite: true);
    }

    private static string StateTmp() => State.StateDirectory.TempMarker + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
