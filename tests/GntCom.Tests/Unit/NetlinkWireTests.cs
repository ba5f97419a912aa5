using System;
using System.Buffers.Binary;
using GntCom.Netlink;
using Xunit;

namespace GntCom.Tests.Unit;

/// <summary>The netlink wire code: header, family header, attributes, alignment, nesting.</summary>
public sealed class NetlinkWireTests
{
    [Fact]
    public void A_request_is_laid_out_as_the_kernel_expects()
    {
        var msg = new NetlinkMessage(Rtm.NEWLINK, 0).Header(new IfInfoMsg { Index = 7 }).AttrString(Rtm.IFLA_IFNAME, "gnt.com.0");
        ReadOnlySpan<byte> b = msg.Finish(99);
        // nlmsghdr 16 + ifinfomsg 16 + rtattr(4 + "gnt.com.0\0" = 14 -> 16)
        Assert.Equal(48, b.Length);
        Assert.Equal(48u, BinaryPrimitives.ReadUInt32LittleEndian(b));
        Assert.Equal(Rtm.NEWLINK, BinaryPrimitives.ReadUInt16LittleEndian(b[4..]));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(b[6..]) & 1); // NLM_F_REQUEST
        Assert.Equal(99u, BinaryPrimitives.ReadUInt32LittleEndian(b[8..]));
        Assert.Equal(7, BinaryPrimitives.ReadInt32LittleEndian(b[20..]));
        Assert.Equal(14, BinaryPrimitives.ReadUInt16LittleEndian(b[32..]));
        Assert.Equal(Rtm.IFLA_IFNAME, BinaryPrimitives.ReadUInt16LittleEndian(b[34..]));
        Assert.Equal("gnt.com.0", System.Text.Encoding.ASCII.GetString(b[36..45]));
        Assert.Equal(0, b[45]);
    }

    [Fact]
    public void Attributes_nest_and_read_back()
    {
        var msg = new NetlinkMessage(Rtm.NEWLINK, 0).Header(new IfInfoMsg());
        int nest = msg.BeginNested(Rtm.IFLA_LINKINFO);
        msg.AttrString(Rtm.IFLA_INFO_KIND, "veth");
        msg.EndNested(nest);
        msg.AttrU32(Rtm.IFLA_MTU, 1500);
        ReadOnlySpan<byte> b = msg.Finish(1);
        var attrs = NetlinkAttributeReader.After(b[16..], out IfInfoMsg _);
        string? kind = null;
        uint mtu = 0;
        foreach (var a in new NetlinkAttributeReader(attrs))
        {
            if (a.Type == Rtm.IFLA_LINKINFO)
                foreach (var n in a.Nested) if (n.Type == Rtm.IFLA_INFO_KIND) kind = n.String;
            if (a.Type == Rtm.IFLA_MTU) mtu = a.U32;
        }
        Assert.Equal("veth", kind);
        Assert.Equal(1500u, mtu);
    }

    [Fact]
    public void A_truncated_attribute_ends_the_walk()
    {
        byte[] bad = { 8, 0, 1, 0, 1, 2, 3, 4, 200, 0, 2, 0 };
        int n = 0;
        foreach (var _ in new NetlinkAttributeReader(bad)) n++;
        Assert.Equal(1, n);
    }
}
