using System;
using System.Collections.Generic;
using System.IO;
using GntCom.Channel;
using GntCom.Config;
using GntCom.Interop;
using GntCom.Processes;
using GntCom.State;

namespace GntCom.Ganeti;

/// <summary>
/// Ganeti's Xen vif script for the communication NIC, PKGLIBDIR/vif-ganeti-metad (PKGLIBDIR
/// is ganeti_lib_dir): a fixed path in every Xen vif spec Ganeti writes for it (hv_xen's
/// _WriteNicConfig), whatever vif_script says. Ganeti's own script only renames the vif, so
/// a Xen domain Ganeti restarts or live-migrates gets no channel. `ganeti enable` puts
/// vif-gnt-com in its place the way Debian replaces another package's file: `dpkg-divert
/// --local --rename` keeps Ganeti's script as vif-ganeti-metad.distrib (a ganeti upgrade's
/// copy goes there too) and a symlink to vif-gnt-com takes the name; `disable` removes both.
/// A node without the file is left alone. Each half state a killed enable or disable can
/// leave (diverted, no link) is GntCom's too: disable finishes it, check names it.
/// dpkg-divert gets DPKG_ROOT and DPKG_ADMINDIR when they are set (dpkg sets them for the
/// package's maintainer scripts).
/// </summary>
public sealed class GanetiVifScript
{
    private const string DpkgDivert = "/usr/bin/dpkg-divert";

    public GanetiVifScript(GntComConfig cfg)
    {
        Path = System.IO.Path.Combine(cfg.GanetiLibDir, "vif-ganeti-metad");
        Diverted = Path + ".distrib";
    }

    public string Path { get; }
    public string Diverted { get; }

    /// <summary>What vif-gnt-com the link names: the one beside gnt-com-ifup.</summary>
    public static string VifGntCom(string ifup) => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(ifup) ?? "/", "vif-gnt-com");

    private static bool Lexists(string path) => Libc.FStatAt(Libc.AT_FDCWD, path, out _, Libc.AT_SYMLINK_NOFOLLOW) == 0;

    private string? LinkTarget()
    {
        if (Libc.FStatAt(Libc.AT_FDCWD, Path, out var st, Libc.AT_SYMLINK_NOFOLLOW) != 0 || !st.IsSymlink) return null;
        try { return File.ResolveLinkTarget(Path, returnFinalTarget: false)?.FullName; }
        catch (IOException) { return null; }
    }

    /// <summary>GntCom's link (to a vif-gnt-com of any installation), or Ganeti's script diverted with nothing in its place (a half-done enable or disable).</summary>
    public bool IsOurs() =>
        LinkTarget() is string t ? t.EndsWith("/vif-gnt-com", StringComparison.Ordinal) : !Lexists(Path) && Lexists(Diverted);

    public void PlanEnable(string vifGntCom, List<PlanAction> actions, List<string> notes)
    {
        if (LinkTarget() == vifGntCom) notes.Add(Path + ": vif-gnt-com already");
        else if (IsOurs()) actions.Add(new DivertVifScript(Path, Diverted, vifGntCom, Update: true));
        else if (Lexists(Path)) actions.Add(new DivertVifScript(Path, Diverted, vifGntCom, Update: false));
    }

    public void PlanDisable(List<PlanAction> actions)
    {
        if (IsOurs()) actions.Add(new UndivertVifScript(Path, Diverted));
    }

    /// <summary>Carries out a vif script action (others are not this file's); first what a killed run left.</summary>
    public void Apply(PlanAction action)
    {
        switch (action)
        {
            case DivertVifScript d:
                RemoveTemporaryFiles();
                if (!Lexists(Diverted)) Divert("--add");
                Link(d.VifGntCom);
                return;
            case UndivertVifScript:
                RemoveTemporaryFiles();
                if (LinkTarget() is string t && t.EndsWith("/vif-gnt-com", StringComparison.Ordinal)) File.Delete(Path);
                if (Lexists(Diverted) || DpkgDiverts()) Divert("--remove");
                return;
        }
    }

    /// <summary>How the vif script differs from what enable or disable leave (for gnt-com check): <paramref name="enabled"/> says which.</summary>
    public void Check(string? vifGntCom, bool enabled, List<string> problems)
    {
        if (!Lexists(Path) && Lexists(Diverted))
            problems.Add("ganeti: " + Path + " is missing (Ganeti's is diverted to " + Diverted + "): every Xen instance start with a"
                + " communication NIC fails; run 'gnt-com ganeti " + (enabled ? "enable" : "disable") + "' again");
        else if (enabled && vifGntCom != null && Lexists(Path) && LinkTarget() != vifGntCom)
            problems.Add("ganeti: " + Path + " is not vif-gnt-com: a Xen instance Ganeti restarts or live-migrates gets no channel;"
                + " run 'gnt-com ganeti refresh'");
    }

    /// <summary>Whether dpkg still lists a diversion of the path (Ganeti's file may be gone from both names).</summary>
    private bool DpkgDiverts() => File.Exists(DpkgDivert) && Run("--truename", Path).Output.Trim() != Path;

    private void Divert(string what)
    {
        if (!File.Exists(DpkgDivert)) throw new GntComException(DpkgDivert + " is missing: cannot divert " + Path);
        var (code, output) = Run("--local", "--rename", "--divert", Diverted, what, Path);
        if (code != 0)
            throw new GntComException("dpkg-divert " + what + " " + Path + " failed (exit " + code + "): " + output.Trim().Replace('\n', ' '));
    }

    private static (int Code, string Output) Run(params string[] args)
    {
        var env = new Dictionary<string, string> { ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin", ["LC_ALL"] = "C" };
        foreach (string v in new[] { "DPKG_ROOT", "DPKG_ADMINDIR" })
            if (Environment.GetEnvironmentVariable(v) is string value && value.Length > 0) env[v] = value;
        return ChildProcess.Run(DpkgDivert, args, env, TimeSpan.FromSeconds(30));
    }

    /// <summary>The path becomes a symlink to <paramref name="target"/>, atomically.</summary>
    private void Link(string target)
    {
        string tmp = Path + StateDirectory.TempMarker + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.Delete(tmp);
        File.CreateSymbolicLink(tmp, target);
        File.Move(tmp, Path, overwrite: true);
    }

    /// <summary>Removes the link's temporary names a killed enable left (PATH.tmp-PID).</summary>
    private void RemoveTemporaryFiles()
    {
        string dir = System.IO.Path.GetDirectoryName(Path)!, prefix = System.IO.Path.GetFileName(Path) + StateDirectory.TempMarker;
        foreach (string f in Directory.Exists(dir) ? Directory.GetFiles(dir, prefix + "*") : Array.Empty<string>())
            if (Libc.FStatAt(Libc.AT_FDCWD, f, out var st, Libc.AT_SYMLINK_NOFOLLOW) == 0 && st.IsSymlink) File.Delete(f);
    }
}
