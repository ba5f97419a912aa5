using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using GntCom.Interop;

namespace GntCom.State;

/// <summary>
/// A directory of GntCom's state, held open by descriptor. Every file in it is opened
/// relative to that descriptor with O_NOFOLLOW, new files are created with O_EXCL and
/// renamed into place, so no symlink planted in the state can redirect a write, and a
/// reader sees a whole old or whole new file even when a writer is killed. The root must
/// be a real directory owned by root (or by the caller) that neither group nor others may
/// write: then nobody else can plant anything below it.
/// </summary>
public sealed unsafe class StateDirectory : IDisposable
{
    /// <summary>Suffix of temporary files; those left by a killed writer are removed under the lock.</summary>
    public const string TempMarker = ".tmp-";

    /// <summary>The most read from a file of another program's directory.</summary>
    private const int ForeignFileMax = 1 << 20;

    private int _fd;
    private readonly Dictionary<string, StateDirectory> _subs = new(StringComparer.Ordinal);
    /// <summary>Another program's directory (<see cref="OpenForeign"/>): its files are read with every care.</summary>
    private bool _foreign;

    private StateDirectory(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    /// <summary>The directory's path, for messages.</summary>
    public string Path { get; }

    internal int Fd => _fd;

    /// <summary>
    /// Opens (creating it and its parents when <paramref name="create"/>) the directory at
    /// <paramref name="path"/> and checks it can be trusted: not a symlink, a directory, owned
    /// by root or the caller, not writable by group or others.
    /// </summary>
    public static StateDirectory Open(string path, bool create, string what = "state_dir") => Open(path, create, what, checkTrust: true);

    /// <summary>
    /// Opens another program's directory (Ganeti's run directory, writable by its daemons'
    /// group) without requiring it to be root's alone: files are still opened without
    /// following symlinks and replaced by rename, so nothing planted there redirects a write.
    /// </summary>
    public static StateDirectory OpenForeign(string path, string what)
    {
        var dir = Open(path, create: false, what, checkTrust: false);
        dir._foreign = true;
        return dir;
    }

    private static StateDirectory Open(string path, bool create, string what, bool checkTrust)
    {
        bool created = false;
        if (create && Libc.FStatAt(Libc.AT_FDCWD, path, out _, Libc.AT_SYMLINK_NOFOLLOW) < 0)
        {
            try
            {
                string? parent = System.IO.Path.GetDirectoryName(path);
                if (parent != null) Directory.CreateDirectory(parent);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new GntComException("cannot create " + what + " " + path + ": " + e.Message);
            }
            if (Libc.MkdirAt(Libc.AT_FDCWD, path, 0b111_101_101) < 0 && Libc.Errno != Errno.EEXIST)
                throw new GntComException("cannot create " + what + " " + path + ": " + Errno.Describe(Libc.Errno));
            created = true;
        }
        int fd = Libc.OpenAt(Libc.AT_FDCWD, path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw OpenError(what, path, Libc.Errno, Libc.AT_FDCWD, path);
        // What we create gets 0755 whatever the caller's umask (dnsmasq, unprivileged, reads below it).
        if (created) Libc.FChmod(fd, 0b111_101_101);
        var dir = new StateDirectory(fd, path);
        try
        {
            if (checkTrust) dir.CheckTrusted(what);
        }
        catch
        {
            dir.Dispose();
            throw;
        }
        return dir;
    }

    /// <summary>A subdirectory (created when <paramref name="create"/>); null when it does not exist and was not to be created.</summary>
    public StateDirectory? Sub(string name, bool create)
    {
        if (_subs.TryGetValue(name, out var sub)) return sub;
        int fd = Libc.OpenAt(_fd, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0 && Libc.Errno == Errno.ENOENT)
        {
            if (!create) return null;
            if (Libc.MkdirAt(_fd, name, 0b111_101_101) < 0 && Libc.Errno != Errno.EEXIST)
                throw new GntComException("cannot create " + Combine(name) + ": " + Errno.Describe(Libc.Errno));
            fd = Libc.OpenAt(_fd, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
            if (fd >= 0) Libc.FChmod(fd, 0b111_101_101);
        }
        if (fd < 0) throw OpenError("state directory", Combine(name), Libc.Errno, _fd, name);
        sub = new StateDirectory(fd, Combine(name));
        try
        {
            sub.CheckTrusted("state directory");
        }
        catch
        {
            sub.Dispose();
            throw;
        }
        _subs[name] = sub;
        return sub;
    }

    private void CheckTrusted(string what)
    {
        if (Libc.FStat(_fd, out var st) < 0) throw new GntComException("cannot stat " + Path + ": " + Errno.Describe(Libc.Errno));
        if (Inputs.FileTrust.Untrusted(what + " " + Path, st, allowSticky: false) is string why)
            throw new GntComException(why + ": refusing to use it");
    }

    private static GntComException OpenError(string what, string path, int errno, int dirFd, string name)
    {
        if (errno == Errno.ENOTDIR && Libc.FStatAt(dirFd, name, out var st, Libc.AT_SYMLINK_NOFOLLOW) == 0 && st.IsSymlink)
            errno = Errno.ELOOP;
        return OpenError(what, path, errno);
    }

    private static GntComException OpenError(string what, string path, int errno) => errno switch
    {
        Errno.ELOOP => new GntComException(what + " " + path + " is a symlink: refusing to follow it (use the real directory)"),
        Errno.ENOTDIR => new GntComException(what + " " + path + " is not a directory"),
        _ => new GntComException("cannot open " + what + " " + path + ": " + Errno.Describe(errno)),
    };

    public string Combine(string name) => Path + "/" + name;

    /// <summary>Opens a file in this directory without following a symlink; -1 with errno ENOENT when absent.</summary>
    internal int OpenFile(string name, int flags, int mode = 0b110_100_100)
    {
        int fd = Libc.OpenAt(_fd, name, flags | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, mode);
        if (fd < 0 && Libc.Errno == Errno.ELOOP)
            throw new GntComException("state file " + Combine(name) + " is a symlink: refusing to follow it");
        return fd;
    }

    /// <summary>The file's content, or null when it does not exist (in another program's directory: or is no regular file of at most 1 MiB).</summary>
    public string? Read(string name)
    {
        if (_foreign) return Libc.ReadForeignFile(_fd, name, ForeignFileMax, followLast: false);
        int fd = OpenFile(name, Libc.O_RDONLY);
        if (fd < 0)
        {
            int errno = Libc.Errno;
            if (errno == Errno.ENOENT) return null;
            throw new GntComException("cannot read " + Combine(name) + ": " + Errno.Describe(errno));
        }
        try
        {
            return Libc.ReadAll(fd, Combine(name));
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    public bool Exists(string name) =>
        Libc.FStatAt(_fd, name, out _, Libc.AT_SYMLINK_NOFOLLOW) == 0;

    /// <summary>Replaces the file's content atomically (temporary file created O_EXCL, then renamed), mode <paramref name="mode"/> (0644).</summary>
    public void Write(string name, string content, int mode = 0b110_100_100)
    {
        string tmp = name + TempMarker + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        int fd = OpenFile(tmp, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL);
        if (fd < 0 && Libc.Errno == Errno.EEXIST)
        {
            // Left by an earlier process that had our pid and was killed.
            Libc.UnlinkAt(_fd, tmp, 0);
            fd = OpenFile(tmp, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL);
        }
        if (fd < 0) throw new GntComException("cannot write " + Combine(name) + ": " + Errno.Describe(Libc.Errno));
        try
        {
            Libc.FChmod(fd, mode); // readable by dnsmasq whatever the umask
            Libc.WriteAllOrThrow(fd, Encoding.UTF8.GetBytes(content), Combine(name));
        }
        catch
        {
            Libc.Close(fd);
            Libc.UnlinkAt(_fd, tmp, 0);
            throw;
        }
        Libc.Close(fd);
        if (Libc.RenameAt(_fd, tmp, _fd, name) < 0)
        {
            int errno = Libc.Errno;
            Libc.UnlinkAt(_fd, tmp, 0);
            throw new GntComException("cannot write " + Combine(name) + ": " + Errno.Describe(errno));
        }
    }

    /// <summary>A symlink's target, null when <paramref name="name"/> is no symlink.</summary>
    public unsafe string? ReadLink(string name)
    {
        byte* buf = stackalloc byte[4096];
        nint n = Libc.ReadLinkAt(_fd, name, buf, 4096);
        return n <= 0 || n >= 4096 ? null : Encoding.UTF8.GetString(buf, (int)n);
    }

    /// <summary>What is at <paramref name="name"/> (not following a symlink); null when nothing is.</summary>
    internal Libc.Stat? Lstat(string name) =>
        Libc.FStatAt(_fd, name, out var st, Libc.AT_SYMLINK_NOFOLLOW) == 0 ? st : null;

    /// <summary>
    /// Makes <paramref name="copy"/> a second name of the file (or symlink) <paramref name="name"/>,
    /// replacing what <paramref name="copy"/> was, atomically: the same inode, so the very
    /// same bytes, mode and owner.
    /// </summary>
    public void Link(string name, string copy)
    {
        string tmp = copy + TempMarker + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        Libc.UnlinkAt(_fd, tmp, 0);
        if (Libc.LinkAt(_fd, name, _fd, tmp, 0) < 0)
            throw new GntComException("cannot keep " + Combine(name) + " as " + Combine(copy) + ": " + Errno.Describe(Libc.Errno));
        try
        {
            Rename(tmp, copy);
        }
        finally
        {
            // rename(2) onto another name of the same file does nothing: the temporary name stays.
            Libc.UnlinkAt(_fd, tmp, 0);
        }
    }

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> (symlinks followed) are one file.</summary>
    public bool SameFile(string a, string b) =>
        Libc.FStatAt(_fd, a, out var sa, 0) == 0 && Libc.FStatAt(_fd, b, out var sb, 0) == 0 && sa.Dev == sb.Dev && sa.Ino == sb.Ino;

    /// <summary>Renames <paramref name="name"/> to <paramref name="newName"/> in this directory, replacing it atomically.</summary>
    public void Rename(string name, string newName)
    {
        if (Libc.RenameAt(_fd, name, _fd, newName) < 0)
            throw new GntComException("cannot rename " + Combine(name) + " to " + Combine(newName) + ": " + Errno.Describe(Libc.Errno));
    }

    /// <summary>Removes a file; one that is already gone is fine.</summary>
    public void Delete(string name)
    {
        if (Libc.UnlinkAt(_fd, name, 0) < 0 && Libc.Errno != Errno.ENOENT)
            throw new GntComException("cannot remove " + Combine(name) + ": " + Errno.Describe(Libc.Errno));
    }

    private const int AT_REMOVEDIR = 0x200;

    /// <summary>
    /// Removes everything in this directory but <paramref name="keep"/>: files, and
    /// subdirectories with all they hold (a symlink is removed, never followed).
    /// </summary>
    public void Clear(params string[] keep)
    {
        foreach (string f in List())
        {
            if (Array.IndexOf(keep, f) >= 0) continue;
            if (Libc.UnlinkAt(_fd, f, 0) == 0 || Libc.Errno == Errno.ENOENT) continue;
            if (Libc.Errno != Errno.EISDIR) throw new GntComException("cannot remove " + Combine(f) + ": " + Errno.Describe(Libc.Errno));
            Sub(f, create: false)?.Clear();
            if (_subs.Remove(f, out var sub)) sub.Dispose();
            RemoveDirectory(f);
        }
    }

    /// <summary>Removes the empty subdirectory <paramref name="name"/>; true when it is gone (false: it is not empty).</summary>
    public bool RemoveDirectory(string name)
    {
        if (Libc.UnlinkAt(_fd, name, AT_REMOVEDIR) == 0 || Libc.Errno == Errno.ENOENT) return true;
        if (Libc.Errno == Errno.ENOTEMPTY || Libc.Errno == Errno.EEXIST) return false;
        throw new GntComException("cannot remove " + Combine(name) + ": " + Errno.Describe(Libc.Errno));
    }

    /// <summary>The names in this directory (not . and ..), in no particular order: one getdents64 per 32 KiB.</summary>
    public List<string> List()
    {
        var names = new List<string>();
        ForEachName(32 * 1024, name => { names.Add(Encoding.UTF8.GetString(name)); return true; });
        return names;
    }

    /// <summary>Whether the directory holds anything but temporary files (and <paramref name="besides"/>): reads only its first entries.</summary>
    public bool HasEntries(string? besides = null)
    {
        bool found = false;
        byte[] marker = Encoding.ASCII.GetBytes(TempMarker);
        byte[] other = besides != null ? Encoding.UTF8.GetBytes(besides) : Array.Empty<byte>();
        ForEachName(512, name => { found = name.IndexOf(marker) < 0 && !(besides != null && name.SequenceEqual(other)); return !found; });
        return found;
    }

    /// <summary>
    /// Hands each name (not . and ..) to <paramref name="visit"/> until it returns false;
    /// reads the directory through a fresh descriptor, <paramref name="bufferSize"/> bytes of
    /// struct linux_dirent64 { u64 ino; s64 off; u16 reclen; u8 type; char name[]; } at a time.
    /// </summary>
    private void ForEachName(int bufferSize, NameVisitor visit)
    {
        int fd = Libc.OpenAt(_fd, ".", Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new GntComException("cannot list " + Path + ": " + Errno.Describe(Libc.Errno));
        try
        {
            byte* buf = stackalloc byte[bufferSize];
            while (true)
            {
                nint n = Libc.GetDents64(fd, buf, (nuint)bufferSize);
                if (n < 0)
                {
                    if (Libc.Errno == Errno.EINTR) continue;
                    throw new GntComException("cannot list " + Path + ": " + Errno.Describe(Libc.Errno));
                }
                if (n == 0) return;
                for (nint off = 0; off < n;)
                {
                    ushort reclen = *(ushort*)(buf + off + 16);
                    var name = new ReadOnlySpan<byte>(buf + off + 19, reclen - 19);
                    int len = name.IndexOf((byte)0);
                    name = len < 0 ? name : name[..len];
                    off += reclen;
                    if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)) continue;
                    if (!visit(name)) return;
                }
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private delegate bool NameVisitor(ReadOnlySpan<byte> name);

    /// <summary>Removes temporary files that killed writers left here; returns how many.</summary>
    public int RemoveTemporaryFiles()
    {
        int n = 0;
        foreach (string f in List())
        {
            if (!f.Contains(TempMarker, StringComparison.Ordinal)) continue;
            Libc.UnlinkAt(_fd, f, 0);
            n++;
        }
        return n;
    }

    public void Dispose()
    {
        foreach (var sub in _subs.Values) sub.Dispose();
        _subs.Clear();
        if (_fd >= 0) Libc.Close(_fd);
        _fd = -1;
    }
}
