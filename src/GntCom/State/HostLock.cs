using System;
using System.Threading;
using GntCom.Interop;
using GntCom.Processes;

namespace GntCom.State;

/// <summary>
/// The host-wide lock that serialises every change to GntCom's shared state (names,
/// records, DHCP files, dnsmasq): flock(2) on the state directory's `lock` file, opened
/// without following a symlink. The kernel drops it when the holder exits, even by
/// SIGKILL. A holder that is stopped or wedged does not block the node forever: after
/// lock_timeout a call fails, naming the holder's pid and command.
/// </summary>
public sealed class HostLock : IDisposable
{
    public const string FileName = "lock";
    private int _fd;

    private HostLock(int fd) => _fd = fd;

    /// <summary>Takes the lock, waiting at most <paramref name="timeout"/>.</summary>
    public static HostLock Acquire(StateDirectory root, TimeSpan timeout)
    {
        int fd = root.OpenFile(FileName, Libc.O_RDWR | Libc.O_CREAT, 0b110_000_000);
        if (fd < 0) throw new GntComException("cannot open lock " + root.Combine(FileName) + ": " + Errno.Describe(Libc.Errno));
        return Lock(fd, "host lock " + root.Combine(FileName), timeout);
    }

    /// <summary>
    /// Locks a directory shared beyond this network namespace's state (Ganeti's
    /// configuration directory, which every namespace's GntCom sees): flock(2) on the
    /// directory itself, so nothing is created in it.
    /// </summary>
    public static HostLock AcquireDirectory(StateDirectory dir, TimeSpan timeout)
    {
        int fd = Libc.OpenAt(dir.Fd, ".", Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new GntComException("cannot open " + dir.Path + ": " + Errno.Describe(Libc.Errno));
        return Lock(fd, "lock on " + dir.Path, timeout);
    }

    private static HostLock Lock(int fd, string what, TimeSpan timeout)
    {
        if (Libc.Flock(fd, Libc.LOCK_EX | Libc.LOCK_NB) == 0) return new HostLock(fd);
        int errno = Libc.Errno;
        if (errno != Errno.EAGAIN && errno != Errno.EINTR)
        {
            Libc.Close(fd);
            throw new GntComException("cannot take the " + what + ": " + Errno.Describe(errno));
        }
        // Busy: wait in the kernel's queue (fair, no polling) on a thread of its own, so
        // that this one can give up at the timeout. A waiter given up on releases the lock
        // the moment it gets it: the caller has reported failure and must not hold the node.
        int result = -1, waitErrno = 0;
        bool done = false, abandoned = false;
        var gate = new object();
        var waiter = new Thread(() =>
        {
            do
            {
                result = Libc.Flock(fd, Libc.LOCK_EX);
                waitErrno = result < 0 ? Libc.Errno : 0;
            } while (result < 0 && waitErrno == Errno.EINTR);
            lock (gate)
            {
                done = true;
                if (abandoned) Libc.Close(fd);
            }
        }) { IsBackground = true, Name = "host-lock" };
        waiter.Start();
        if (!waiter.Join(timeout))
        {
            lock (gate)
            {
                if (!done)
                {
                    abandoned = true;
                    int holder = HolderOf(fd);
                    string who = holder != 0 ? "pid " + holder + " (" + ProcStat.CommandLine(holder) + ")" : "another process";
                    throw new GntComException(what + " is held by " + who + ": gave up after "
                        + (int)timeout.TotalSeconds + " s (lock_timeout)");
                }
            }
        }
        if (result < 0)
        {
            Libc.Close(fd);
            throw new GntComException("cannot take the " + what + ": " + Errno.Describe(waitErrno));
        }
        return new HostLock(fd);
    }

    /// <summary>The pid holding the lock file in <paramref name="root"/>, 0 when it is free or absent (for `gnt-com status`).</summary>
    public static int Holder(StateDirectory root)
    {
        int fd = root.OpenFile(FileName, Libc.O_RDONLY);
        if (fd < 0) return 0;
        try { return HolderOf(fd); }
        finally { Libc.Close(fd); }
    }

    private static int HolderOf(int fd) =>
        Libc.FStat(fd, out var st) == 0 ? ProcLocks.Holder(st.Dev, st.Ino) : 0;

    public void Dispose()
    {
        if (_fd >= 0) Libc.Close(_fd); // closing the descriptor releases the lock
        _fd = -1;
    }
}
