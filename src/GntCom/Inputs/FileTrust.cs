using System;
using GntCom.Interop;

namespace GntCom.Inputs;

/// <summary>
/// Whether a file GntCom acts on as root (a state directory, a hook, the config, the
/// dnsmasq it starts) could have been written by anyone but root: owned by root (or by the
/// caller, when that is not root) and writable neither by its group nor by others. A
/// directory with the sticky bit may be writable by others where the caller allows it.
/// </summary>
public static class FileTrust
{
    /// <summary>Why <paramref name="what"/> (with status <paramref name="st"/>) is not to be trusted, or null.</summary>
    internal static string? Untrusted(string what, Libc.Stat st, bool allowSticky)
    {
        uint euid = Libc.GetEuid();
        if (st.Uid != 0 && st.Uid != euid) return what + " is owned by uid " + st.Uid + ", not root";
        if (st.IsSymlink) return null; // a symlink's own mode means nothing
        uint perms = st.Permissions;
        if ((perms & (Libc.S_IWGRP | Libc.S_IWOTH)) == 0) return null;
        if (allowSticky && st.IsDirectory && (perms & Libc.S_ISVTX) != 0) return null;
        return what + " is writable by " + ((perms & Libc.S_IWOTH) != 0 ? "others" : "its group")
            + " (mode " + Convert.ToString(perms, 8) + ")";
    }

    /// <summary>
    /// Why the file at <paramref name="path"/> (following symlinks) and its directory are not
    /// to be trusted, or null. <paramref name="checkDirectory"/> false: the file alone (one
    /// another program keeps in a directory its daemons' group may write).
    /// </summary>
    public static string? FileRefusal(string what, string path, bool checkDirectory = true)
    {
        if (Libc.FStatAt(Libc.AT_FDCWD, path, out var st, 0) < 0) return null; // absent: the caller says so
        if (Untrusted(what + " " + path, st, allowSticky: false) is string why) return why;
        if (!checkDirectory) return null;
        string dir = System.IO.Path.GetDirectoryName(path) ?? "/";
        // (a root-owned sticky directory such as /tmp: nobody else can replace what root put there)
        return Libc.FStatAt(Libc.AT_FDCWD, dir, out var dst, 0) == 0 ? Untrusted("its directory " + dir, dst, allowSticky: true) : null;
    }
}
