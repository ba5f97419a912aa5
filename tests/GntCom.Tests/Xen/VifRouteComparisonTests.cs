using System;
using System.Linq;
using System.Text.RegularExpressions;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Xen;

/// <summary>
/// vif-gnt-com as a drop-in for Xen's vif-route: side by side with Debian's real
/// /etc/xen/scripts/vif-route on the same inputs, in two namespaces, the same addresses,
/// routes, proxy_arp and store nodes result.
/// Differences on purpose: vif-route's `ifconfig` leaves a broadcast address (brd) on the
/// /32 (meaningless there) which GntCom does not add, so brd is not compared; vif-route
/// would add iptables FORWARD rules for bridged traffic when iptables works, GntCom leaves
/// firewalling to the admin's hooks.
/// </summary>
public sealed class VifRouteComparisonTests
{
    private const string VifRoute = "/etc/xen/scripts/vif-route";

    private sealed class Side : IDisposable
    {
        public readonly XenHost X = new();
        public readonly string Vif;
        public readonly string Name;

        public Side(string typeIf, string ip, string? vifname)
        {
            X.Ns.Ip("tuntap", "add", "dev", "eth1", "mode", "tap");
            X.Ns.Ip("addr", "add", "192.0.2.1/24", "dev", "eth1");
            X.Ns.Ip("link", "set", "eth1", "up");
            Vif = X.AddVif(5, 0, "00:16:3e:00:05:00", ip: ip, vifname: vifname);
            if (typeIf == "tap") { X.Ns.Ip("link", "set", Vif, "name", Vif + "-emu"); Vif += "-emu"; }
            Name = vifname == null ? Vif : typeIf == "tap" ? vifname + "-emu" : vifname;
        }

        public ProcResult Run(string script, string action, string typeIf)
        {
            var env = X.Host.Sandbox.Env(
                ("vif", typeIf == "vif" ? Vif : "vif5.0"), ("INTERFACE", typeIf == "tap" ? Vif : null),
                ("XENBUS_PATH", "backend/vif/5/0"), ("XENSTORED_PATH", X.Store.SocketPath), ("netdev", "eth1"),
                ("XENBUS_TYPE", "vif"), ("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
            return X.Ns.Exec(script, new[] { action, "type_if=" + typeIf }, env);
        }

        public string State()
        {
            string addr = X.Ns.Exec("ip", "-4", "-o", "addr", "show", "dev", Name).Out;
            addr = Regex.Replace(addr, @" brd \S+", "").Replace("\\", "");
            addr = Regex.Replace(addr, @"^\d+: ", "");
            addr = Regex.Replace(addr, @"\s+valid_lft.*$", "", RegexOptions.Multiline);
            string routes = string.Join('\n', X.Ns.Routes().Where(r => r.Contains(Name)));
            string proxyArp = X.Ns.Exec("cat", "/proc/sys/net/ipv4/conf/" + Name + "/proxy_arp").Out.Trim();
            string up = X.Ns.Exec("ip", "link", "show", "dev", Name).Out.Contains(",UP") ? "up" : "down";
            return "addr: " + addr.Trim() + "\nroutes:\n" + routes + "\nproxy_arp: " + proxyArp + "\nlink: " + up
                + "\nhotplug-status: " + X.Store.Read(XenHost.Backend(5, 0) + "/hotplug-status");
        }

        public void Dispose() => X.Dispose();
    }

    [HostTheory("xenstore-read", "xenstore-write", "ifconfig", VifRoute)]
    [InlineData("vif", "10.9.0.5", null)]
    [InlineData("vif", "10.9.0.5 10.9.1.0/24", null)]
    [InlineData("vif", "10.9.0.6", "web0")]
    [InlineData("tap", "10.9.0.7", null)]
    public void Same_inputs_leave_the_same_state_as_xens_vif_route(string typeIf, string ip, string? vifname)
    {
        using var xen = new Side(typeIf, ip, vifname);
        using var ours = new Side(typeIf, ip, vifname);
        string up = typeIf == "vif" ? "online" : "add";
        string down = typeIf == "vif" ? "offline" : "remove";

        var a = xen.Run(VifRoute, up, typeIf);
        var b = ours.Run(Repo.Bin("vif-gnt-com"), up, typeIf);
        Assert.True(a.Code == 0, "vif-route: " + a);
        Assert.True(b.Code == 0, "vif-gnt-com: " + b);
        string state = ours.State();
        Assert.Equal(xen.State(), state);
        Assert.Contains("src 192.0.2.1 metric " + (typeIf == "tap" ? "1" : "2"), state);

        a = xen.Run(VifRoute, down, typeIf);
        b = ours.Run(Repo.Bin("vif-gnt-com"), down, typeIf);
        Assert.True(b.Code == 0, "vif-gnt-com: " + b);
        Assert.Equal(xen.State(), ours.State());
        Assert.DoesNotContain("10.9.", ours.State());
    }

    [HostFact("xenstore-read")]
    public void A_netdev_without_an_ipv4_address_is_an_error_like_in_vif_route()
    {
        using var side = new Side("vif", "10.9.0.5", null);
        side.X.Ns.Ip("addr", "flush", "dev", "eth1");
        var r = side.Run(Repo.Bin("vif-gnt-com"), "online", "vif");
        Assert.Equal(1, r.Code);
        Assert.Contains("netdev eth1 has no IPv4 address", r.Err);
        Assert.Equal("error", side.X.Store.Read(XenHost.Backend(5, 0) + "/hotplug-status"));
    }
}
