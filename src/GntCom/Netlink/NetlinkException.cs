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
}
