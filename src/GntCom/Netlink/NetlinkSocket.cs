using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using GntCom.Interop;

namespace GntCom.Netlink;

/// <summary>Receives one reply message of a request: its type and payload (after nlmsghdr).</summary>
internal delegate void NetlinkReplyHandler(ushort type, ReadOnlySpan<byte> payload);

/// <summary>
/// A netlink socket (NETLINK_ROUTE, or NETLINK_SOCK_DIAG) of the calling thread's network namespace: sends a request,
/// collects its replies or its ack, and turns NLMSG_ERROR into <see cref="NetlinkException"/>
/// with the extended-ack text.
/// </summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    private int _fd;
    private uint _seq;
    // The kernel caps a dump's datagrams at 32 KiB (netlink_recvmsg), and GntCom asks for
    // no per-VF link data, so one read of at most this size takes any reply whole.
    private readonly byte[] _rx = GC.AllocateUninitializedArray<byte>(32 * 1024);

    private NetlinkSocket(int fd)
    {
        _fd = fd;
        _seq = (uint)Environment.TickCount;
    }

    /// <summary>Opens a netlink socket of <paramref name="protocol"/> (rtnetlink unless told: sock_diag).</summary>
    public static NetlinkSocket Open(int protocol = Nl.NETLINK_ROUTE)
    {
        int fd = Libc.Socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, protocol);
        if (fd < 0) throw new NetlinkException("open netlink socket", Libc.Errno, null);
        var sock = new NetlinkSocket(fd);
        try
        {
            int one = 1;
            // Best effort: older kernels lack these options; errors then carry no text.
            Libc.SetSockOpt(fd, Nl.SOL_NETLINK, Nl.NETLINK_EXT_ACK, &one, sizeof(int));
            Libc.SetSockOpt(fd, Nl.SOL_NETLINK, Nl.NETLINK_CAP_ACK, &one, sizeof(int));
            // Strict checking (4.20+): the kernel filters dumps by the interface or table
            // asked for, instead of copying every address or route of the host.
            Libc.SetSockOpt(fd, Nl.SOL_NETLINK, Nl.NETLINK_GET_STRICT_CHK, &one, sizeof(int));
            var sa = new SockAddrNl { Family = Libc.AF_NETLINK };
            if (Libc.Bind(fd, &sa, sizeof(SockAddrNl)) < 0)
                throw new NetlinkException("bind rtnetlink socket", Libc.Errno, null);
            return sock;
        }
        catch
        {
            sock.Dispose();
            throw;
        }
    }

    /// <summary>Sends a request that changes something and waits for the kernel's ack.</summary>
    public void Execute(NetlinkMessage msg, string operation)
    {
        msg.Flags |= Nl.F_ACK;
        Transact(msg, operation, null);
    }

    /// <summary>Sends a get or dump request and hands every reply message to <paramref name="handler"/>.</summary>
    public void Query(NetlinkMessage msg, string operation, NetlinkReplyHandler handler) =>
        Transact(msg, operation, handler);

    private void Transact(NetlinkMessage msg, string operation, NetlinkReplyHandler? handler)
    {
        uint seq = ++_seq;
        bool dump = (msg.Flags & Nl.F_DUMP) == Nl.F_DUMP;
        ReadOnlySpan<byte> req = msg.Finish(seq);
        fixed (byte* p = req)
        {
            nint sent;
            do sent = Libc.Send(_fd, p, (nuint)req.Length, 0);
            while (sent < 0 && Libc.Errno == Interop.Errno.EINTR);
            if (sent < 0) throw new NetlinkException(operation, Libc.Errno, null);
        }

        while (true)
        {
            int n = ReceiveDatagram();
            ReadOnlySpan<byte> data = _rx.AsSpan(0, n);
            while (data.Length >= Nl.HeaderLength)
            {
                var hdr = MemoryMarshal.Read<NlMsgHdr>(data);
                if (hdr.Len < Nl.HeaderLength || hdr.Len > data.Length) break;
                ReadOnlySpan<byte> payload = data[Nl.HeaderLength..(int)hdr.Len];
                int next = Nl.Align((int)hdr.Len);
                data = next >= data.Length ? ReadOnlySpan<byte>.Empty : data[next..];

                if (hdr.Seq != seq) continue; // a late reply to an earlier request
                if (hdr.Type == Nl.NLMSG_DONE) return;
                if (hdr.Type == Nl.NLMSG_ERROR)
                {
                    int error = BinaryPrimitives.ReadInt32LittleEndian(payload);
                    if (error == 0) { if (!dump) return; continue; }
                    throw new NetlinkException(operation, -error, ExtAckMessage(hdr.Flags, payload));
                }
                if (hdr.Type == Nl.NLMSG_NOOP) continue;
                handler?.Invoke(hdr.Type, payload);
                if (!dump && (hdr.Flags & Nl.F_MULTI) == 0 && (msg.Flags & Nl.F_ACK) == 0) return;
            }
        }
    }

    private int ReceiveDatagram()
    {
        fixed (byte* p = _rx)
        {
            nint n;
            do n = Libc.Recv(_fd, p, (nuint)_rx.Length, Libc.MSG_TRUNC);
            while (n < 0 && Libc.Errno == Interop.Errno.EINTR);
            if (n < 0) throw new NetlinkException("receive from rtnetlink", Libc.Errno, null);
            // MSG_TRUNC returns the datagram's real length: larger than the buffer means lost data.
            if (n > _rx.Length) throw new NetlinkException("receive from rtnetlink", Interop.Errno.ENOBUFS, "reply of " + n + " bytes truncated");
            return (int)n;
        }
    }

    /// <summary>The NLMSGERR_ATTR_MSG text of an error reply, if the kernel sent one.</summary>
    private static string? ExtAckMessage(ushort flags, ReadOnlySpan<byte> payload)
    {
        if ((flags & Nl.F_ACK_TLVS) == 0) return null;
        // struct nlmsgerr { int error; struct nlmsghdr msg; } then the request's payload
        // unless the kernel capped it, then the TLVs.
        int offset = 4;
        if (payload.Length < offset + Nl.HeaderLength) return null;
        var echoed = MemoryMarshal.Read<NlMsgHdr>(payload[offset..]);
        offset += (flags & Nl.F_CAPPED) != 0 ? Nl.HeaderLength : Nl.Align((int)echoed.Len);
        if (offset >= payload.Length) return null;
        foreach (var a in new NetlinkAttributeReader(payload[offset..]))
            if (a.Type == Nl.NLMSGERR_ATTR_MSG) return a.String;
        return null;
    }

    public void Dispose()
    {
        if (_fd >= 0) Libc.Close(_fd);
        _fd = -1;
    }
}
