using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace GntCom.Netlink;

/// <summary>
/// Builds one netlink request: the nlmsghdr, a family header and rtattr attributes
/// (nested ones included), 4-byte aligned as the kernel expects.
/// </summary>
internal sealed class NetlinkMessage
{
    private byte[] _buf = new byte[256];
    private int _len;

    public NetlinkMessage(ushort type, ushort flags)
    {
        _len = Nl.HeaderLength;
        var hdr = new NlMsgHdr { Type = type, Flags = (ushort)(flags | Nl.F_REQUEST) };
        MemoryMarshal.Write(_buf, in hdr);
    }

    public ushort Type => MemoryMarshal.Read<NlMsgHdr>(_buf).Type;

    public ushort Flags
    {
        get => MemoryMarshal.Read<NlMsgHdr>(_buf).Flags;
        set => BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(6), value);
    }

    /// <summary>Appends the family header (ifinfomsg, ifaddrmsg, rtmsg...).</summary>
    public NetlinkMessage Header<T>(in T header) where T : unmanaged
    {
        int size = Marshal.SizeOf<T>();
        Reserve(Nl.Align(size));
        MemoryMarshal.Write(_buf.AsSpan(_len), in header);
        _len += Nl.Align(size);
        return this;
    }

    public NetlinkMessage Attr(ushort type, ReadOnlySpan<byte> payload)
    {
        int total = 4 + payload.Length;
        Reserve(Nl.Align(total));
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(_len), (ushort)total);
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(_len + 2), type);
        payload.CopyTo(_buf.AsSpan(_len + 4));
        _buf.AsSpan(_len + total, Nl.Align(total) - total).Clear();
        _len += Nl.Align(total);
        return this;
    }

    public NetlinkMessage AttrU32(ushort type, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Attr(type, b);
    }

    /// <summary>A NUL-terminated string attribute (interface names, kinds).</summary>
    public NetlinkMessage AttrString(ushort type, string value)
    {
        Span<byte> b = stackalloc byte[Encoding.UTF8.GetMaxByteCount(value.Length) + 1];
        int n = Encoding.UTF8.GetBytes(value, b);
        b[n] = 0;
        return Attr(type, b[..(n + 1)]);
    }

    /// <summary>Opens a nested attribute; close it with <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        int start = _len;
        Attr(type, ReadOnlySpan<byte>.Empty);
        return start;
    }

    public void EndNested(int start) =>
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(start), (ushort)(_len - start));

    /// <summary>The finished message with its length and sequence number filled in.</summary>
    public ReadOnlySpan<byte> Finish(uint seq)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buf, (uint)_len);
        BinaryPrimitives.WriteUInt32LittleEndian(_buf.AsSpan(8), seq);
        return _buf.AsSpan(0, _len);
    }

    private void Reserve(int more)
    {
        if (_len + more <= _buf.Length) return;
        Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + more));
    }
}
