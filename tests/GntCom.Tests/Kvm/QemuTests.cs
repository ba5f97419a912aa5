using System;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Kvm;

/// <summary>
/// The real qemu-system-x86_64 calls our executables as its tap script/downscript; a
/// second tap on the same qemu hub, moved into a "guest" namespace, plays the guest's NIC.
/// </summary>
public sealed class QemuTests
{
    /// <summary>qemu with a channel tap (our scripts) and a guest tap joined by hub 0.</summary>
    internal static Background StartQemu(Host h, string channelTap, string guestTap, params (string Key, string? Value)[] env)
    {
        var args = new[]
        {
            "netns", "exec", h.Ns.Name, "qemu-system-x86_64",
            "-machine", "none", "-nodefaults", "-display", "none", "-monitor", "stdio",
            "-netdev", "tap,id=n0,ifname=" + channelTap + ",script=" + Repo.Bin("gnt-com-ifup") + ",downscript=" + Repo.Bin("gnt-com-ifdown"),
            "-netdev", "tap,id=n1,ifname=" + guestTap + ",script=no,downscript=no",
            "-netdev", "hubport,id=h0,hubid=0,netdev=n0",
            "-netdev", "hubport,id=h1,hubid=0,netdev=n1",
        };
        return new Background("ip", args, h.Sandbox.Env(env));
    }

    /// <summary>Moves the guest tap into <paramref name="guest"/> and gives it the guest's address.</summary>
    internal static void PlugGuest(Host h, NetNs guest, string guestTap, string ipCidr)
    {
        h.Ns.Ip("link", "set", guestTap, "netns", guest.Name);
        guest.Ip("addr", "add", ipCidr, "dev", guestTap);
        guest.Ip("link", "set", guestTap, "up");
    }

    [HostFact("qemu-system-x86_64")]
    public void Qemu_runs_our_scripts_and_the_channel_carries_tcp_and_udp_both_ways()
    {
        using var h = new Host();
        using var guest = new NetNs("guest");
        using var qemu = StartQemu(h, "tap0", "tapg", ("IP", "169.254.1.2"), ("MAC", "52:54:00:12:34:56"), ("INSTANCE", "vm1"));

        // qemu opens the second tap once the first one's script returned.
        Assert.True(Background.WaitFor(() => h.Records().Contains("gnt.com.0") && h.Record("gnt.com.0").Contains("state=up")
            && h.Ns.LinkExists("tapg")), qemu.ToString());
        PlugGuest(h, guest, "tapg", "169.254.1.2/16");

        // guest -> host: any service on 169.254.169.254, TCP and UDP.
        using (var listener = InNamespace.TcpListen(h.Ns, "169.254.169.254", 8080))
        {
            Exchange.AcceptEcho(listener);
            Assert.Equal("ECHO from 169.254.1.2: hello", InNamespace.TcpRoundTrip(guest, "169.254.169.254", 8080, "hello"));
        }
        using (var udp = InNamespace.UdpBind(h.Ns, "169.254.169.254", 5353))
        {
            Exchange.UdpEcho(udp);
            Assert.Equal("ECHO from 169.254.1.2: ping", InNamespace.UdpRoundTrip(guest, "169.254.169.254", 5353, "ping"));
        }
        // host -> guest: the host opens connections too.
        using (var listener = InNamespace.TcpListen(guest, "169.254.1.2", 9090))
        {
            Exchange.AcceptEcho(listener);
            Assert.Equal("ECHO from 169.254.169.254: hi", InNamespace.TcpRoundTrip(h.Ns, "169.254.1.2", 9090, "hi"));
        }
        using (var udp = InNamespace.UdpBind(guest, "169.254.1.2", 5354))
        {
            Exchange.UdpEcho(udp);
            Assert.Equal("ECHO from 169.254.169.254: pong", InNamespace.UdpRoundTrip(h.Ns, "169.254.1.2", 5354, "pong"));
        }

        qemu.Send("quit");
        Assert.True(qemu.WaitForExit(20000), "qemu did not quit");
        Assert.Contains("gnt-com-ifdown: down gnt.com.0 (was tap0)", qemu.Err);
        Assert.Empty(h.Records());
    }

    [HostFact("qemu-system-x86_64")]
    public void A_name_reserved_with_allocate_carries_the_guest_into_qemu()
    {
        using var h = new Host();
        var alloc = h.Admin("allocate", "--ip", "169.254.3.3", "--mac", "52:54:00:03:03:03", "--instance", "vm3");
        Assert.True(alloc.Code == 0, alloc.ToString());
        string name = alloc.Out.Trim();
        Assert.Equal("gnt.com.0", name);

        // qemu gets the reserved name as ifname= and no IP/MAC in its environment.
        using var qemu = StartQemu(h, name, "tapg", ("IP", null), ("MAC", null));
        Assert.True(Background.WaitFor(() => h.Records().Contains(name) && h.Record(name).Contains("state=up")), qemu.ToString());
        Assert.Contains("169.254.3.3 dev gnt.com.0", string.Join('\n', h.Ns.Routes()));
        Assert.Contains("instance=vm3", h.Record(name));
        Assert.DoesNotContain("reserved", h.Admin("status").Out);

        qemu.Send("quit");
        Assert.True(qemu.WaitForExit(20000), "qemu did not quit");
        Assert.Empty(h.Records());
    }

    [HostFact("qemu-system-x86_64")]
    public void A_failing_up_script_stops_qemu_from_starting()
    {
        using var h = new Host();
        using var qemu = StartQemu(h, "tap0", "tapg", ("IP", "10.1.1.1"), ("MAC", "52:54:00:12:34:56"));
        Assert.True(qemu.WaitForExit(20000), "qemu kept running");
        Assert.NotEqual(0, qemu.ExitCode);
        Assert.Contains("gnt-com-ifup: error: IP '10.1.1.1' is outside the channel network", qemu.Err);
        Assert.Empty(h.Records());
    }
}
