using System;
using System.Runtime.InteropServices;
using GntCom.Interop;

namespace GntCom.Hooks;

/// <summary>
/// Hooks run as root, so only files that root alone could have written may run: the hook
/// (after resolving symlinks) must be a regular file owned by root that neither its group
/// nor others may write, and so must every directory on its path and on the hooks
/// directory's path. A root-owned directory with the sticky bit (/tmp) may be writable by
/// others above the hooks directory: nobody but root can replace what root put in it.
/// </summary>
internal static unsafe partial class HookTrust
{
    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial byte* RealPath(string path, byte* resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(void* p);

    /// <summary>Why <paramref name="hook"/> may not run, or null when it may.</summary>
    public static string? Refusal(string hook, string hooksDir)
    {
        string? why = CheckDirectoryChain(hooksDir, strictLast: true);
        if (why != null) return why;
        string? target = Resolve(hook);
        if (target == null) return "cannot resolve it: " + Errno.Describe(Libc.Errno);
        if (Libc.FStatAt(Libc.AT_FDCWD, target, out var st, Libc.AT_SYMLINK_NOFOLLOW) < 0)
            return "cannot stat " + target + ": " + Errno.Describe(Libc.Errno);
        string what = target == hook ? "it" : "its target " + target;
        if (!st.IsRegular) return what + " is not a regular file";
        why = Untrusted(what, st, allowSticky: false);
        if (why != null) return why;
        string dir = System.IO.Path.GetDirectoryName(target) ?? "/";
        return CheckDirectoryChain(dir, strictLast: true);
    }

    /// <summary>Checks <paramref name="dir"/> (resolved) and every directory above it.</summary>
    private static string? CheckDirectoryChain(string dir, bool strictLast)
    {
        string? real = Resolve(dir);
        if (real == null) return "cannot resolve directory " + dir + ": " + Errno.Describe(Libc.Errno);
        bool last = strictLast;
        for (string? d = real; d != null; d = System.IO.Path.GetDirectoryName(d))
        {
            if (Libc.FStatAt(Libc.AT_FDCWD, d, out var st, 0) < 0)
                return "cannot stat directory " + d + ": " + Errno.Describe(Libc.Errno);
            string? why = Untrusted("directory " + d, st, allowSticky: !last);
            if (why != null) return why;
            last = false;
        }
        return null;
    }

    private static string? Untrusted(string what, Libc.Stat st, bool allowSticky)
    {
        uint euid = Libc.GetEuid();
        if (st.Uid != 0 && st.Uid != euid) return what + " is owned by uid " + st.Uid + ", not root";
        uint perms = st.Permissions;
        if ((perms & (Libc.S_IWGRP | Libc.S_IWOTH)) == 0) return null;
        if (allowSticky && st.IsDirectory && (perms & Libc.S_ISVTX) != 0) return null;
        return what + " is writable by " + ((perms & Libc.S_IWOTH) != 0 ? "others" : "its group")
            + " (mode " + Convert.ToString(perms, 8) + ")";
    }

    private static string? Resolve(string path)
    {
        byte* p = RealPath(path, null);
        if (p == null) return null;
        try { return Marshal.PtrToStringUTF8((nint)p); }
        finally { Free(p); }
    }
}
