using System;
using System.Collections.Generic;
using GntCom.Inputs;
using GntCom.Interop;

namespace GntCom.Hooks;

/// <summary>
/// Hooks run as root, so only files that root alone could have written may run, reached
/// only through directories and symlinks that root alone could have changed: the path is
/// resolved one component at a time, every directory on the way (the hooks directory's
/// and the hook's, and every one holding a symlink that is followed) must be owned by root
/// and writable neither by its group nor by others, and the hook itself must be a regular
/// file owned by root that neither its group nor others may write. A root-owned directory
/// with the sticky bit (/tmp) may be writable by others on the way (nobody but root can
/// replace what root put in it), but a symlink followed there must be root's own, and the
/// directory holding the hook may never be writable by others. What runs is the path so
/// resolved, so nothing can be swapped between the check and the start.
/// </summary>
internal static class HookTrust
{
    private const int MaxLinks = 40;

    /// <summary>Why <paramref name="hook"/> may not run (null when it may); <paramref name="resolved"/> is the file to run.</summary>
    public static string? Refusal(string hook, string hooksDir, out string resolved)
    {
        resolved = hook;
        var (dir, why) = Walk(hooksDir);
        if (why != null) return why;
        why = Strict(dir!);
        if (why != null) return why;
        var (file, whyFile) = Walk(hook);
        if (whyFile != null) return whyFile;
        if (Libc.FStatAt(Libc.AT_FDCWD, file!, out var st, Libc.AT_SYMLINK_NOFOLLOW) < 0)
            return "cannot stat " + file + ": " + Errno.Describe(Libc.Errno);
        string what = file == hook ? "it" : "its target " + file;
        if (!st.IsRegular) return what + " is not a regular file";
        why = FileTrust.Untrusted(what, st, allowSticky: false);
        if (why != null) return why;
        why = Strict(System.IO.Path.GetDirectoryName(file) ?? "/");
        if (why != null) return why;
        resolved = file!;
        return null;
    }

    /// <summary>The directory that holds a hook (or is the hooks directory) may not be writable by others, sticky or not.</summary>
    private static string? Strict(string dir) =>
        Libc.FStatAt(Libc.AT_FDCWD, dir, out var st, 0) < 0
            ? "cannot stat directory " + dir + ": " + Errno.Describe(Libc.Errno)
            : FileTrust.Untrusted("directory " + dir, st, allowSticky: false);

    /// <summary>Resolves an absolute path as realpath(3) does, checking every directory traversed and every symlink followed.</summary>
    private static (string? Path, string? Why) Walk(string path)
    {
        if (!path.StartsWith('/')) return (null, "path " + path + " is not absolute");
        var pending = new Stack<string>();
        PushComponents(pending, path);
        string cur = "/";
        if (CheckDir(cur) is string rootWhy) return (null, rootWhy);
        int links = 0;
        while (pending.Count > 0)
        {
            string c = pending.Pop();
            if (c is "" or ".") continue;
            if (c == "..")
            {
                cur = System.IO.Path.GetDirectoryName(cur) ?? "/";
                continue;
            }
            string next = cur == "/" ? "/" + c : cur + "/" + c;
            if (Libc.FStatAt(Libc.AT_FDCWD, next, out var st, Libc.AT_SYMLINK_NOFOLLOW) < 0)
                return (null, "cannot stat " + next + ": " + Errno.Describe(Libc.Errno));
            if (st.IsSymlink)
            {
                if (++links > MaxLinks) return (null, "too many symlinks in " + path);
                // In a directory others may write (sticky), only root's own symlink cannot be swapped.
                if (Libc.FStatAt(Libc.AT_FDCWD, cur, out var parent, 0) == 0 && (parent.Permissions & Libc.S_IWOTH) != 0
                    && FileTrust.Untrusted("symlink " + next, st, allowSticky: true) is string linkWhy)
                    return (null, linkWhy);
                string? target = ReadLink(next);
                if (target == null) return (null, "cannot read symlink " + next + ": " + Errno.Describe(Libc.Errno));
                PushComponents(pending, target);
                if (target.StartsWith('/')) cur = "/";
                continue;
            }
            if (st.IsDirectory)
            {
                if (FileTrust.Untrusted("directory " + next, st, allowSticky: true) is string dirWhy) return (null, dirWhy);
            }
            else if (pending.Count > 0)
            {
                return (null, next + " is not a directory");
            }
            cur = next;
        }
        return (cur, null);
    }

    private static void PushComponents(Stack<string> pending, string path)
    {
        string[] parts = path.Split('/');
        for (int i = parts.Length - 1; i >= 0; i--) pending.Push(parts[i]);
    }

    private static string? CheckDir(string dir) =>
        Libc.FStatAt(Libc.AT_FDCWD, dir, out var st, 0) < 0
            ? "cannot stat directory " + dir + ": " + Errno.Describe(Libc.Errno)
            : FileTrust.Untrusted("directory " + dir, st, allowSticky: true);

    private static unsafe string? ReadLink(string path)
    {
        byte* buf = stackalloc byte[4096];
        nint n = Libc.ReadLinkAt(Libc.AT_FDCWD, path, buf, 4096);
        return n <= 0 || n >= 4096 ? null : System.Text.Encoding.UTF8.GetString(buf, (int)n);
    }
}
