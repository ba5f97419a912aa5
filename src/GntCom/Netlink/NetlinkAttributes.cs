using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace GntCom.Netlink;

/// <summary>One rtattr: its type (nested/byte-order flags masked off) and payload.</summary>
internal readonly ref struct NetlinkAttribute
{
    public NetlinkAttribute(ushort type, ReadOnlySpan<byte> payload)
    {
        Type = (ushort)(type & 0x3fff);
        Payload = payload;
    }

    public ushort Type { get; }
    public ReadOnlySpan<byte> Payload { get; }

    public uint U32 => BinaryPrimitives.ReadUInt32LittleEndian(Payload);
    public byte U8 => Payload[0];

    /// <summary>A NUL-terminated string payload.</summary>
    public string String
    {
        get
        {
            int end = Payload.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? Payload : Payload[..end]);
        }
    }

    public NetlinkAttributeReader Nested => new(Payload);
}

/// <summary>Walks a run of rtattrs: <c>foreach (var a in new NetlinkAttributeReader(span))</c>.</summary>
internal ref struct NetlinkAttributeReader
{
    private ReadOnlySpan<byte> _rest;
    private NetlinkAttribute _current;

    public NetlinkAttributeReader(ReadOnlySpan<byte> data)
    {
        _rest = data;
        _current = default;
    }

    public readonly NetlinkAttributeReader GetEnumerator() => this;

    public readonly NetlinkAttribute Current => _current;

    public bool MoveNext()
    {
        if (_rest.Length < 4) return false;
        int len = BinaryPrimitives.ReadUInt16LittleEndian(_rest);
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(_rest[2..]);
        if (len < 4 || len > _rest.Length) return false;
        _current = new NetlinkAttribute(type, _rest[4..len]);
        int next = Nl.Align(len);
        _rest = next >= _rest.Length ? ReadOnlySpan<byte>.Empty : _rest[next..];
        return true;
    }

    /// <summary>Splits a message payload into its fixed header and the attributes after it.</summary>
    public static ReadOnlySpan<byte> After<T>(ReadOnlySpan<byte> payload, out T header) where T : unmanaged
    {
        int size = Marshal.SizeOf<T>();
        header = MemoryMarshal.Read<T>(payload);
        int start = Nl.Align(size);
        return start >= payload.Length ? ReadOnlySpan<byte>.Empty : payload[start..];
    }
}
