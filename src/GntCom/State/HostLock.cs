using System;
using System.IO;
using GntCom.Interop;

namespace GntCom.State;

/// <summary>
/// The host-wide lock that serialises every change to GntCom's shared state (names,
/// records, reservations, DHCP files, dnsmasq): flock(2) on the state directory's `lock`
/// file. The kernel drops it when the holder exits, even by SIGKILL.
/// </summary>
public sealed class HostLock : IDisposable
{
    private int _fd;

    private HostLock(int fd) => _fd = fd;

    /// <summary>Blocks until the lock is ours.</summary>
    public static HostLock Acquire(string path)
    {
        int fd = Libc.Open(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0b110_000_000);
        if (fd < 0) throw new GntComException("cannot open lock " + path + ": " + Errno.Describe(Libc.Errno));
        while (Libc.Flock(fd, Libc.LOCK_EX) < 0)
        {
            int errno = Libc.Errno;
            if (errno == Errno.EINTR) continue;
            Libc.Close(fd);
            throw new GntComException("cannot lock " + path + ": " + Errno.Describe(errno));
        }
        return new HostLock(fd);
    }

    /// <summary>
    /// The pid holding the lock, or 0 when it is free (for `gnt-com status`): read from
    /// /proc/locks ("1: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE 0 EOF"), matched by inode,
    /// so the hot path writes nothing extra.
    /// </summary>
    public static int Holder(string path)
    {
        if (Mono.Unix.Native.Syscall.stat(path, out var st) != 0) return 0;
        string[] lines;
        try { lines = File.ReadAllLines("/proc/locks"); }
        catch (IOException) { return 0; }
        string inode = ":" + st.st_ino.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (string line in lines)
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 6 && f[1] == "FLOCK" && f[5].EndsWith(inode, StringComparison.Ordinal)
                && int.TryParse(f[4], out int pid))
                return pid;
        }
        return 0;
    }

    public void Dispose()
    {
        if (_fd >= 0) Libc.Close(_fd); // closing the descriptor releases the lock
        _fd = -1;
    }
}
