using System;
using System.Runtime.InteropServices;
using System.Text;

namespace GntCom.Interop;

/// <summary>
/// File calls relative to a directory descriptor (openat and friends): state lives under
/// one directory opened once with O_NOFOLLOW, so no path component can be swapped for a
/// symlink between a check and a use.
/// </summary>
internal static unsafe partial class Libc
{
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_EMPTY_PATH = 0x1000;

    public const int O_RDONLY = 0, O_WRONLY = 1, O_EXCL = 0x80, O_TRUNC = 0x200, O_APPEND = 0x400,
        O_NONBLOCK = 0x800, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_PATH = 0x200000;

    public const uint S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFREG = 0x8000, S_IFLNK = 0xA000;
    public const uint S_ISVTX = 0x200, S_IWGRP = 0x10, S_IWOTH = 0x2, S_IXUSR = 0x40;

    /// <summary>struct stat of x86_64 Linux (glibc), the fields GntCom reads.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 144)]
    public struct Stat
    {
        [FieldOffset(0)] public ulong Dev;
        [FieldOffset(8)] public ulong Ino;
        [FieldOffset(24)] public uint Mode;
        [FieldOffset(28)] public uint Uid;
        [FieldOffset(32)] public uint Gid;
        [FieldOffset(48)] public long Size;
        /// <summary>st_ctim.tv_sec: when the inode last changed (a link, a rename, a write).</summary>
        [FieldOffset(104)] public long ChangeTime;
        [FieldOffset(112)] public long ChangeTimeNanoseconds;

        /// <summary>Whether this inode changed after <paramref name="other"/>'s did.</summary>
        public readonly bool ChangedAfter(Stat other) =>
            ChangeTime > other.ChangeTime || (ChangeTime == other.ChangeTime && ChangeTimeNanoseconds > other.ChangeTimeNanoseconds);

        public readonly bool IsDirectory => (Mode & S_IFMT) == S_IFDIR;
        public readonly bool IsRegular => (Mode & S_IFMT) == S_IFREG;
        public readonly bool IsSymlink => (Mode & S_IFMT) == S_IFLNK;
        /// <summary>Permission bits and sticky/setid bits.</summary>
        public readonly uint Permissions => Mode & 0xFFF;
    }

    [LibraryImport(Lib, EntryPoint = "openat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int OpenAt(int dirfd, string path, int flags, int mode);

    [LibraryImport(Lib, EntryPoint = "mkdirat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int MkdirAt(int dirfd, string path, int mode);

    [LibraryImport(Lib, EntryPoint = "renameat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int RenameAt(int olddirfd, string oldpath, int newdirfd, string newpath);

    [LibraryImport(Lib, EntryPoint = "linkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int LinkAt(int olddirfd, string oldpath, int newdirfd, string newpath, int flags);

    [LibraryImport(Lib, EntryPoint = "unlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int UnlinkAt(int dirfd, string path, int flags);

    [LibraryImport(Lib, EntryPoint = "fstatat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int FStatAt(int dirfd, string path, out Stat st, int flags);

    [LibraryImport(Lib, EntryPoint = "fstat", SetLastError = true)]
    public static partial int FStat(int fd, out Stat st);

    [LibraryImport(Lib, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int FChmod(int fd, int mode);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buf, nuint count);

    [LibraryImport(Lib, EntryPoint = "getdents64", SetLastError = true)]
    public static partial nint GetDents64(int fd, void* buf, nuint count);

    [LibraryImport(Lib, EntryPoint = "readlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint ReadLinkAt(int dirfd, string path, byte* buf, nuint size);

    public const int LOCK_NB = 4;

    /// <summary>A small file's text (config, /proc), or null when it does not exist; other errors throw naming it.</summary>
    public static string? ReadTextFile(string path)
    {
        int fd = OpenAt(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Errno;
            if (errno is Interop.Errno.ENOENT or Interop.Errno.ENOTDIR) return null;
            throw new GntComException("cannot read " + path + ": " + Interop.Errno.Describe(errno));
        }
        try
        {
            return ReadAll(fd, path);
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>
    /// Another program's file (its config, Ganeti's hosts file), read as root without letting
    /// it trick the reader: the path is opened with O_PATH (no device's open runs, a FIFO does
    /// not block), it must be a regular file of at most <paramref name="maxBytes"/>, and only
    /// then is that very inode opened for reading, through /proc/self/fd. Null when it is
    /// absent, not a regular file, too large or unreadable. <paramref name="followLast"/>:
    /// whether a symlink as the last component is followed.
    /// </summary>
    public static string? ReadForeignFile(int dirFd, string path, int maxBytes, bool followLast)
    {
        int pathFd = OpenAt(dirFd, path, O_PATH | O_CLOEXEC | (followLast ? 0 : O_NOFOLLOW), 0);
        if (pathFd < 0) return null;
        try
        {
            if (FStat(pathFd, out var st) < 0 || !st.IsRegular || st.Size > maxBytes) return null;
            int fd = OpenAt(AT_FDCWD, "/proc/self/fd/" + pathFd.ToString(System.Globalization.CultureInfo.InvariantCulture),
                O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
            if (fd < 0) return null;
            try
            {
                return ReadAll(fd, path, maxBytes);
            }
            catch (GntComException)
            {
                return null;
            }
            finally
            {
                Close(fd);
            }
        }
        finally
        {
            Close(pathFd);
        }
    }

    /// <summary>Reads a descriptor to its end (at most <paramref name="maxBytes"/>) as UTF-8 text.</summary>
    public static string ReadAll(int fd, string pathForMessages, int maxBytes = int.MaxValue)
    {
        byte[] buf = new byte[4096];
        int len = 0;
        while (len < maxBytes)
        {
            if (len == buf.Length) Array.Resize(ref buf, (int)Math.Min((long)buf.Length * 2, (long)maxBytes));
            nint n;
            fixed (byte* p = buf) n = Read(fd, p + len, (nuint)(buf.Length - len));
            if (n < 0)
            {
                if (Errno == Interop.Errno.EINTR) continue;
                throw new GntComException("cannot read " + pathForMessages + ": " + Interop.Errno.Describe(Errno));
            }
            if (n == 0) break;
            len += (int)n;
        }
        return Encoding.UTF8.GetString(buf, 0, len);
    }

    /// <summary>Whether <paramref name="path"/> exists (following symlinks) and is a directory.</summary>
    public static bool IsDirectory(string path) => FStatAt(AT_FDCWD, path, out var st, 0) == 0 && st.IsDirectory;

    /// <summary>Writes all of <paramref name="data"/> or throws naming <paramref name="path"/>.</summary>
    public static void WriteAllOrThrow(int fd, ReadOnlySpan<byte> data, string path)
    {
        fixed (byte* p = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = Write(fd, p + done, (nuint)(data.Length - done));
                if (n < 0 && Errno == Interop.Errno.EINTR) continue;
                if (n <= 0) throw new GntComException("cannot write " + path + ": " + Interop.Errno.Describe(n < 0 ? Errno : Interop.Errno.ENOBUFS));
                done += (int)n;
            }
        }
    }
}
