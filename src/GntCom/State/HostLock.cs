using System;
using Mono.Unix.Native;

namespace GntCom.State;

/// <summary>
/// The host-wide lock that serialises every change to GntCom's shared state (names,
/// records, reservations, DHCP files, dnsmasq). A POSIX record lock on the state
/// directory's `lock` file: the kernel drops it when the holder exits, even by SIGKILL.
/// </summary>
public sealed class HostLock : IDisposable
{
    private int _fd;

    private HostLock(int fd) => _fd = fd;

    /// <summary>Blocks until the lock is ours.</summary>
    public static HostLock Acquire(string path)
    {
        int fd = Syscall.open(path, OpenFlags.O_RDWR | OpenFlags.O_CREAT | OpenFlags.O_CLOEXEC,
            FilePermissions.S_IRUSR | FilePermissions.S_IWUSR);
        if (fd < 0)
            throw new GntComException("cannot open lock " + path + ": " + GntCom.Interop.Errno.Describe(NativeConvert.FromErrno(Stdlib.GetLastError())));
        var fl = new Flock { l_type = LockType.F_WRLCK, l_whence = SeekFlags.SEEK_SET, l_start = 0, l_len = 0 };
        while (Syscall.fcntl(fd, FcntlCommand.F_SETLKW, ref fl) < 0)
        {
            var err = Stdlib.GetLastError();
            if (err == Mono.Unix.Native.Errno.EINTR) continue;
            Syscall.close(fd);
            throw new GntComException("cannot lock " + path + ": " + GntCom.Interop.Errno.Describe(NativeConvert.FromErrno(err)));
        }
        return new HostLock(fd);
    }

    /// <summary>The pid holding the lock right now, or 0 when it is free (for status reports).</summary>
    public static int Holder(string path)
    {
        int fd = Syscall.open(path, OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
        if (fd < 0) return 0;
        try
        {
            var fl = new Flock { l_type = LockType.F_WRLCK, l_whence = SeekFlags.SEEK_SET };
            if (Syscall.fcntl(fd, FcntlCommand.F_GETLK, ref fl) < 0) return 0;
            return fl.l_type == LockType.F_UNLCK ? 0 : fl.l_pid;
        }
        finally
        {
            Syscall.close(fd);
        }
    }

    public void Dispose()
    {
        if (_fd >= 0) Syscall.close(_fd); // closing the descriptor releases the lock
        _fd = -1;
    }
}
