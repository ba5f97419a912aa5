using System;

namespace GntCom.Inputs;

/// <summary>
/// A vif's backend path in xenstore as libxl passes it in XENBUS_PATH: `backend/vif/DOM/DEV`
/// (relative to the backend domain's home) or `/local/domain/BACKDOM/backend/vif/DOM/DEV`.
/// Nothing else is accepted: the path is used to read and write store nodes.
/// </summary>
public static class XenbusPath
{
    public static bool IsValid(string? path)
    {
        if (path == null || path.Length > 128) return false;
        string[] p = path.Split('/');
        bool relative = p.Length == 4 && p[0] == "backend" && p[1] == "vif";
        bool absolute = p.Length == 8 && p[0] == "" && p[1] == "local" && p[2] == "domain" && IsNumber(p[3])
            && p[4] == "backend" && p[5] == "vif";
        return (relative || absolute) && IsNumber(p[^2]) && IsNumber(p[^1]);
    }

    /// <summary>
    /// XENBUS_PATH, checked; for an emulated tap without it, derived from the interface
    /// name vifDOM.DEV-emu as Xen's vif-common.sh does.
    /// </summary>
    public static string Parse(string? path, string typeIf, string dev)
    {
        if (path == null && typeIf == "tap" && dev.StartsWith("vif", StringComparison.Ordinal) && dev.EndsWith("-emu", StringComparison.Ordinal))
        {
            string[] ids = dev[3..^4].Split('.');
            if (ids.Length == 2 && IsNumber(ids[0]) && IsNumber(ids[1])) path = "/local/domain/0/backend/vif/" + ids[0] + "/" + ids[1];
        }
        if (path == null) throw new InvalidInputException("XENBUS_PATH is not set (libxl passes backend/vif/DOM/DEV)");
        if (!IsValid(path)) throw new InvalidInputException("XENBUS_PATH " + Quote.Value(path) + " is not backend/vif/DOM/DEV");
        return path;
    }

    /// <summary>The absolute form of a valid path (a relative one is dom0's: /local/domain/0/...), for comparing.</summary>
    public static string Canonical(string path) => path.StartsWith('/') ? path : "/local/domain/0/" + path;

    /// <summary>What the kernel's netback calls the vif's device: "vif-DOM-DEV" (its ethtool bus-info).</summary>
    public static string BusInfo(string path)
    {
        string[] p = path.Split('/');
        return "vif-" + p[^2] + "-" + p[^1];
    }

    /// <summary>The guest's domain id: DOM of .../vif/DOM/DEV (the path must be valid).</summary>
    public static int DomainId(string path) => int.Parse(path.Split('/')[^2], System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsNumber(string s)
    {
        if (s.Length == 0 || s.Length > 9 || (s.Length > 1 && s[0] == '0')) return false;
        foreach (char c in s) if (!char.IsAsciiDigit(c)) return false;
        return true;
    }
}
