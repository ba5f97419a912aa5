using GntCom.Interop;

namespace GntCom.Netlink;

/// <summary>
/// The kernel refused a netlink request. Carries the errno and the kernel's extended-ack
/// text (e.g. "Invalid prefix for given prefix length."), when it sent one.
/// </summary>
public sealed class NetlinkException : GntComException
{
    public NetlinkException(string operation, int errno, string? extAck)
        : base(operation + ": " + Interop.Errno.Describe(errno) + (string.IsNullOrEmpty(extAck) ? "" : ": " + extAck))
    {
        Operation = operation;
        Errno = errno;
        ExtAck = extAck;
    }

    /// <summary>What was asked, in `ip` terms ("route add 169.254.1.2/32 dev gnt.com.0").</summary>
    public string Operation { get; }
    public int Errno { get; }
    public string? ExtAck { get; }

    /// <summary>The object (interface, address, route, rule) is not there: "already gone" to a teardown.</summary>
    public bool IsNotFound => Errno is Interop.Errno.ENODEV or Interop.Errno.ESRCH or Interop.Errno.ENOENT or Interop.Errno.EADDRNOTAVAIL;

    /// <summary>The object is there already (an add of something present).</summary>
    public bool IsExists => Errno == Interop.Errno.EEXIST;

    /// <summary>The address family is not available (no IPv6 on this host).</summary>
    public bool IsFamilyUnsupported => Errno == Interop.Errno.EAFNOSUPPORT;
}
