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
        try
        {
            // The holder's pid, for `gnt-com status` (informational only).
            File.WriteAllText("/proc/self/fd/" + fd, Environment.ProcessId + "\n");
        }
        catch (IOException)
        {
        }
        return new HostLock(fd);
    }

    /// <summary>The pid that last took the lock, if it still holds it; 0 when the lock is free.</summary>
    public static int Holder(string path)
    {
        int fd = Libc.Open(path, Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        if (fd < 0) return 0;
        try
        {
            const int LOCK_NB = 4;
            if (Libc.Flock(fd, Libc.LOCK_EX | LOCK_NB) == 0) return 0; // free (released when fd closes)
            string text = File.ReadAllText(path).Trim();
            return int.TryParse(text, out int pid) ? pid : -1;
        }
        catch (IOException)
        {
            return -1;
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    public void Dispose()
    {
        if (_fd >= 0) Libc.Close(_fd); // closing the descriptor releases the lock
        _fd = -1;
    }
}
