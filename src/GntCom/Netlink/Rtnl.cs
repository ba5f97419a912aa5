namespace GntCom.Netlink;

/// <summary>Constants of the netlink and rtnetlink wire protocol (linux/netlink.h, linux/rtnetlink.h).</summary>
internal static class Nl
{
    public const int NETLINK_ROUTE = 0;
    public const int SOL_NETLINK = 270;
    public const int NETLINK_CAP_ACK = 10;
    public const int NETLINK_EXT_ACK = 11;
    public const int NETLINK_GET_STRICT_CHK = 12;

    public const ushort NLMSG_NOOP = 1;
    public const ushort NLMSG_ERROR = 2;
    public const ushort NLMSG_DONE = 3;

    public const ushort F_REQUEST = 0x1;
    public const ushort F_MULTI = 0x2;
    public const ushort F_ACK = 0x4;
    public const ushort F_DUMP = 0x300;
    public const ushort F_REPLACE = 0x100;
    public const ushort F_EXCL = 0x200;
    public const ushort F_CREATE = 0x400;
    // Flags on an NLMSG_ERROR reply.
    public const ushort F_CAPPED = 0x100;
    public const ushort F_ACK_TLVS = 0x200;

    public const ushort NLMSGERR_ATTR_MSG = 1;

    public const int HeaderLength = 16;

    public static int Align(int len) => (len + 3) & ~3;
}

/// <summary>rtnetlink message types and attribute numbers.</summary>
internal static class Rtm
{
    public const ushort NEWLINK = 16, DELLINK = 17, GETLINK = 18, SETLINK = 19;
    public const ushort NEWADDR = 20, DELADDR = 21, GETADDR = 22;
    public const ushort NEWROUTE = 24, DELROUTE = 25, GETROUTE = 26;
    public const ushort NEWRULE = 32, DELRULE = 33, GETRULE = 34;

    // FRA_* (fib rule attributes)
    public const ushort FRA_DST = 1, FRA_SRC = 2, FRA_IIFNAME = 3, FRA_GOTO = 4, FRA_PRIORITY = 6, FRA_TABLE = 15;

    // IFLA_*
    public const ushort IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_LINK = 5,
        IFLA_MASTER = 10, IFLA_OPERSTATE = 16, IFLA_LINKINFO = 18, IFLA_EXT_MASK = 29, IFLA_LINK_NETNSID = 37;
    public const ushort IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2;
    public const ushort IFLA_TUN_TYPE = 3;

    // IFA_*
    public const ushort IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_BROADCAST = 4, IFA_FLAGS = 8;

    // RTA_*
    public const ushort RTA_DST = 1, RTA_SRC = 2, RTA_IIF = 3, RTA_OIF = 4, RTA_GATEWAY = 5,
        RTA_PRIORITY = 6, RTA_PREFSRC = 7, RTA_TABLE = 15;

    public const uint IFF_UP = 0x1;
    public const uint IFF_LOOPBACK = 0x8;
    public const uint IFF_RUNNING = 0x40;
    public const uint IFF_LOWER_UP = 0x10000;

    public const uint IFA_F_NODAD = 0x02;
    public const uint IFA_F_PERMANENT = 0x80;
    public const uint IFA_F_NOPREFIXROUTE = 0x200;

    public const byte RT_TABLE_UNSPEC = 0;
    public const uint RT_TABLE_MAIN = 254;
    public const uint RT_TABLE_LOCAL = 255;
}
