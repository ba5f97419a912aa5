using System;
using System.Collections.Generic;
using System.Globalization;

namespace GntCom.State;

/// <summary>Who holds a guest IP or MAC (STATE/ips, STATE/macs), and which channel a hypervisor's name became (STATE/origins).</summary>
public sealed partial class StateStore
{
    // ---- claims: who holds a guest IP or MAC ---------------------------------

    /// <summary>The channel name holding <paramref name="value"/> (an IP for "ips", a MAC for "macs"), or null.</summary>
    public string? ClaimOwner(ClaimKind kind, string value)
    {
        string? owner = Dir(ClaimDir(kind), false)?.Read(value);
        owner = owner?.Trim();
        return owner != null && _cfg.IsChannelName(owner) ? owner : null;
    }

    public void Claim(ClaimKind kind, string value, string owner) => Dir(ClaimDir(kind), true)!.Write(value, owner + "\n");

    /// <summary>Drops the claim if <paramref name="owner"/> holds it (another's claim is left alone).</summary>
    public void Unclaim(ClaimKind kind, string value, string owner)
    {
        var dir = Dir(ClaimDir(kind), false);
        if (dir == null) return;
        if (dir.Read(value)?.Trim() == owner) dir.Delete(value);
    }

    /// <summary>Every claim (value, owner), for repair.</summary>
    public List<(string Value, string Owner)> Claims(ClaimKind kind)
    {
        var list = new List<(string, string)>();
        var dir = Dir(ClaimDir(kind), false);
        if (dir == null) return list;
        foreach (string f in dir.List())
        {
            if (f.Contains(StateDirectory.TempMarker, StringComparison.Ordinal)) continue;
            list.Add((f, dir.Read(f)?.Trim() ?? ""));
        }
        return list;
    }

    public void DeleteClaim(ClaimKind kind, string value) => Dir(ClaimDir(kind), false)?.Delete(value);

    private static string ClaimDir(ClaimKind kind) => kind == ClaimKind.Ip ? "ips" : "macs";

    // ---- origins: hypervisor name -> channel name ------------------------------

    private static string OriginFile(string original, int owner) => original + "," + owner.ToString(CultureInfo.InvariantCulture);

    public void SaveOrigin(string original, int owner, string name) => Dir("origins", true)!.Write(OriginFile(original, owner), name + "\n");

    public void DeleteOrigin(string original, int owner) => Dir("origins", false)?.Delete(OriginFile(original, owner));

    /// <summary>
    /// The channel that <paramref name="original"/> became for caller <paramref name="owner"/>,
    /// else (when <paramref name="anyOwner"/>: a listing) every channel it became for anyone.
    /// </summary>
    public List<(int Owner, string Name)> Origins(string original, int owner, bool anyOwner = true)
    {
        var found = new List<(int, string)>();
        var dir = Dir("origins", false);
        if (dir == null) return found;
        string? mine = dir.Read(OriginFile(original, owner))?.Trim();
        if (mine != null && _cfg.IsChannelName(mine)) return new List<(int, string)> { (owner, mine) };
        if (!anyOwner) return found;
        string prefix = original + ",";
        foreach (string f in dir.List())
        {
            if (!f.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (!int.TryParse(f.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int o)) continue;
            string? name = dir.Read(f)?.Trim();
            if (name != null && _cfg.IsChannelName(name)) found.Add((o, name));
        }
        return found;
    }

    /// <summary>Every origin entry (original, owner, name), for repair.</summary>
    public List<(string Original, int Owner, string Name)> AllOrigins()
    {
        var list = new List<(string, int, string)>();
        var dir = Dir("origins", false);
        if (dir == null) return list;
        foreach (string f in dir.List())
        {
            int comma = f.LastIndexOf(',');
            if (comma <= 0 || !int.TryParse(f.AsSpan(comma + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int o)) { dir.Delete(f); continue; }
            list.Add((f[..comma], o, dir.Read(f)?.Trim() ?? ""));
        }
        return list;
    }
}
