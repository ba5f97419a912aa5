using System.Runtime.InteropServices;

namespace GntCom.Interop;

/// <summary>The errno values the product branches on, and their names for messages.</summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EBADF = 9;
    public const int ECHILD = 10;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int ENOTDIR = 20;
    public const int EINVAL = 22;
    public const int EISDIR = 21;
    public const int ENOSPC = 28;
    public const int EROFS = 30;
    public const int ERANGE = 34;
    public const int ENOTEMPTY = 39;
    public const int ELOOP = 40;
    public const int ENOBUFS = 105;
    public const int EOPNOTSUPP = 95;
    public const int EAFNOSUPPORT = 97;
    public const int EADDRINUSE = 98;
    public const int EADDRNOTAVAIL = 99;
    public const int ENETUNREACH = 101;

    /// <summary>"EEXIST (File exists)" style text for an errno.</summary>
    public static string Describe(int errno)
    {
        string name = errno switch
        {
            EPERM => "EPERM", ENOENT => "ENOENT", ESRCH => "ESRCH", EINTR => "EINTR",
            EAGAIN => "EAGAIN", EACCES => "EACCES", EBUSY => "EBUSY", EEXIST => "EEXIST",
            ENODEV => "ENODEV", ENOTDIR => "ENOTDIR", ENOTEMPTY => "ENOTEMPTY", ELOOP => "ELOOP",
            EBADF => "EBADF", ECHILD => "ECHILD", EINVAL => "EINVAL", ENOSPC => "ENOSPC", EISDIR => "EISDIR", EROFS => "EROFS", ERANGE => "ERANGE", ENOBUFS => "ENOBUFS",
            EOPNOTSUPP => "EOPNOTSUPP", EAFNOSUPPORT => "EAFNOSUPPORT", EADDRINUSE => "EADDRINUSE",
            EADDRNOTAVAIL => "EADDRNOTAVAIL", ENETUNREACH => "ENETUNREACH",
            _ => "errno " + errno,
        };
        return name + " (" + Marshal.GetPInvokeErrorMessage(errno) + ")";
    }
}
