using System;
using System.Text.RegularExpressions;
using GntCom.Tests.Infrastructure;
using GntCom.Tests.Xen;
using Xunit;

namespace GntCom.Tests.Hardening;

/// <summary>
/// Only an interface a hypervisor made for one guest may become a channel: the loopback,
/// the host's own links (veths with both ends here, bridges and their ports, NIC-like
/// devices, layer-3 tun devices) and anything carrying an address or route of its own are
/// refused with one line saying what the interface is, before anything is changed.
/// </summary>
public sealed class EligibilityTests
{
    /// <summary>Builds the case's interface in the host namespace (and the guest one); returns the name given to gnt-com-ifup.</summary>
    private static string Build(Host h, NetNs guest, string kind)
    {
        void IntoGuest(string dev)
        {
            h.Ns.Ip("link", "add", dev, "type", "veth", "peer", "name", "g" + dev);
            h.Ns.Ip("link", "set", "g" + dev, "netns", guest.Name);
        }
        switch (kind)
        {
            case "loopback":
                return "lo";
            case "veth with both ends on the host, addressed":
                h.Ns.Ip("link", "add", "hv0", "type", "veth", "peer", "name", "hv1");
                h.Ns.Ip("addr", "add", "10.9.9.1/24", "dev", "hv0");
                return "hv0";
            case "veth with both ends on the host":
                h.Ns.Ip("link", "add", "hv0", "type", "veth", "peer", "name", "hv1");
                return "hv0";
            case "veth into a guest, addressed":
                IntoGuest("hv0");
                h.Ns.Ip("addr", "add", "10.9.9.1/24", "dev", "hv0");
                return "hv0";
            case "veth into a guest, with an IPv6 address":
                IntoGuest("hv0");
                h.Ns.Ip("addr", "add", "2001:db8::1/64", "dev", "hv0", "nodad");
                return "hv0";
            case "veth into a guest, routing a network":
                IntoGuest("hv0");
                h.Ns.Ip("link", "set", "hv0", "up");
                h.Ns.Ip("route", "add", "10.10.0.0/16", "dev", "hv0");
                return "hv0";
            case "bridge port":
                h.Ns.Ip("link", "add", "br0", "type", "bridge");
                IntoGuest("hv0");
                h.Ns.Ip("link", "set", "hv0", "master", "br0");
                return "hv0";
            case "bridge":
                h.Ns.Ip("link", "add", "br0", "type", "bridge");
                return "br0";
            case "dummy":
                h.Ns.Ip("link", "add", "eth7", "type", "dummy");
                return "eth7";
            case "ifb":
                h.Ns.Ip("link", "add", "eth7", "type", "ifb");
                return "eth7";
            case "macvlan":
                h.Ns.Ip("link", "add", "hv0", "type", "veth", "peer", "name", "hv1");
                h.Ns.Ip("link", "add", "eth7", "link", "hv0", "type", "macvlan");
                return "eth7";
            case "tun":
                h.Ns.Ip("tuntap", "add", "dev", "tun0", "mode", "tun");
                return "tun0";
            default:
                throw new ArgumentException(kind);
        }
    }

    // What the one line must say the interface is (a regex: "a"/"an" is the product's to choose).
    public static TheoryData<string, string> Refused => new()
    {
        { "loopback", L("'lo' is the loopback interface") },
        { "veth with both ends on the host, addressed", L("'hv0' is a veth pair with both ends on this host, not a guest's") },
        { "veth with both ends on the host", L("'hv0' is a veth pair with both ends on this host, not a guest's") },
        { "veth into a guest, addressed", L("'hv0' is an interface with an address of its own (10.9.9.1/24)") },
        { "veth into a guest, with an IPv6 address", L("'hv0' is an interface with an address of its own (2001:db8::1/64)") },
        { "veth into a guest, routing a network", L("'hv0' is an interface that routes 10.10.0.0/16") },
        { "bridge port", L("'hv0' is a port of br0 (a bridge or bond)") },
        { "bridge", "'br0' is an? bridge interface" },
        { "ifb", "'eth7' is an? ifb interface" },
        { "macvlan", "'eth7' is an? macvlan interface" },
        { "tun", L("'tun0' is a tun device (layer 3), not a tap") },
    };

    private static string L(string literal) => Regex.Escape(literal);

    [HostTheory]
    [MemberData(nameof(Refused))]
    public void Gnt_com_ifup_refuses_what_is_not_a_guest_interface_and_changes_nothing(string kind, string what) =>
        AssertRefused(kind, what);

    /// <summary>The dummy driver is a module this kernel may lack; the case needs it.</summary>
    [KernelLinkFact("dummy")]
    public void Gnt_com_ifup_refuses_a_dummy_interface_and_changes_nothing() =>
        AssertRefused("dummy", "'eth7' is an? dummy interface");

    private static void AssertRefused(string kind, string what)
    {
        using var h = new Host();
        using var guest = new NetNs("guest");
        string dev = Build(h, guest, kind);
        string before = Hard.Snapshot(h.Ns);
        string guestBefore = Hard.Snapshot(guest);

        var r = Hard.Run(h, "gnt-com-ifup", new[] { dev }, 60_000, ("IP", Hard.Ip), ("MAC", Hard.Mac));

        Assert.True(r.Code != 0, r.ToString());
        string line = Hard.OneErrorLine(r, "gnt-com-ifup");
        Assert.Matches(what + L(": only a guest's tap, Xen vif or a veth into a guest's namespace can become a channel interface; nothing was changed"), line);
        Assert.Equal(before, Hard.Snapshot(h.Ns));
        Assert.Equal(guestBefore, Hard.Snapshot(guest));
        Assert.Empty(h.Records());
        // Nor through Ganeti's protocol, under a channel name (an interface that is up cannot be renamed).
        if (dev != "lo" && !h.Ns.Ip("link", "show", "dev", dev).Contains(",UP"))
        {
            h.Ns.Ip("link", "set", dev, "name", "gnt.com.7");
            before = Hard.Snapshot(h.Ns);
            var g = Hard.Run(h, "gnt-com-ifup", Array.Empty<string>(), 60_000,
                ("INTERFACE", "gnt.com.7"), ("MODE", "routed"), ("ACTION", "up"), ("IP", Hard.Ip), ("MAC", Hard.Mac));
            Assert.True(g.Code != 0, g.ToString());
            Assert.Contains("'gnt.com.7' is ", Hard.OneErrorLine(g, "gnt-com-ifup"));
            Assert.Equal(before, Hard.Snapshot(h.Ns));
            Assert.Empty(h.Records());
        }
    }

    [HostTheory("xenstore-read")]
    [InlineData("169.254.7.7")]
    [InlineData(null)]
    public void Vif_online_refuses_lo_as_a_channel_vif_with_hotplug_error(string? ip)
    {
        using var x = new XenHost();
        string b = XenHost.Backend(5, 0);
        x.Store.Write(b + "/mac", "00:16:3e:00:07:07");
        x.Store.Write(b + "/vifname", "gnt.com.0");
        x.Store.Write(b + "/hotplug-status", "");
        if (ip != null) x.Store.Write(b + "/ip", ip);
        string before = Hard.Snapshot(x.Ns);

        var online = x.Vif("online", "lo", 5, 0);

        Assert.True(online.Code == 1, online.ToString());
        Assert.Contains("'lo' is the loopback interface", Hard.OneErrorLine(online, "vif-gnt-com"));
        Assert.Equal("error", x.Store.Read(b + "/hotplug-status"));
        Assert.Contains("'lo' is the loopback interface", x.Store.Read(b + "/hotplug-error") ?? "");
        Assert.Equal(before, Hard.Snapshot(x.Ns));
        Assert.Empty(x.Host.Records());
        Assert.False(x.Ns.LinkExists("gnt.com.0"));
    }

    [HostTheory]
    [InlineData("tap")]
    [InlineData("veth into a guest")]
    public void A_tap_and_a_veth_into_a_guest_are_accepted(string kind)
    {
        using var h = new Host();
        using var guest = new NetNs("guest");
        if (kind == "tap")
        {
            h.AddTap("hv0");
        }
        else
        {
            h.Ns.Ip("link", "add", "hv0", "type", "veth", "peer", "name", "ghv0");
            h.Ns.Ip("link", "set", "ghv0", "netns", guest.Name);
        }

        var r = Hard.Run(h, "gnt-com-ifup", new[] { "hv0" }, 60_000, ("IP", Hard.Ip), ("MAC", Hard.Mac));

        Assert.True(r.Code == 0, r.ToString());
        Assert.Equal(new[] { "gnt.com.0" }, h.Records());
        Assert.Contains("169.254.1.2 dev gnt.com.0", string.Join('\n', h.Ns.Routes()));
    }
}

/// <summary>A host fact that also needs the kernel to create links of a kind (its driver may be a module the kernel lacks).</summary>
public sealed class KernelLinkFactAttribute : FactAttribute
{
    public KernelLinkFactAttribute(string kind)
    {
        Skip = Requirements.Missing(new[] { "ip" }) ?? (KernelLinks.Supports(kind) ? null : "needs the kernel's " + kind + " link driver, which this kernel lacks");
    }
}

internal static class KernelLinks
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Known = new();

    /// <summary>Tries to create a link of <paramref name="kind"/> in a throwaway namespace.</summary>
    public static bool Supports(string kind) => Known.GetOrAdd(kind, k =>
    {
        using var ns = new NetNs("probe");
        return Proc.Run("ip", "-n", ns.Name, "link", "add", "probe0", "type", k).Code == 0;
    });
}
