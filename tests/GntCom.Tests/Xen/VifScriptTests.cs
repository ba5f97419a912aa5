using System;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Xen;

/// <summary>vif-gnt-com as libxl runs it, with our xenstore server and a veth standing in for netback.</summary>
public sealed class VifScriptTests
{
    private const string GuestMac = "00:16:3e:00:07:07";

    [HostFact("xenstore-read")]
    public void Channel_vif_online_configures_it_and_offline_removes_it_twice()
    {
        using var x = new XenHost();
        string vif = x.AddVif(5, 0, GuestMac, ip: "169.254.7.7", vifname: "gnt.com.0", domainName: "vm7.example.org");
        string b = XenHost.Backend(5, 0);

        var online = x.Vif("online", vif, 5, 0);
        Assert.True(online.Code == 0, online.ToString());
        Assert.Equal("connected", x.Store.Read(b + "/hotplug-status"));
        Assert.False(x.Ns.LinkExists("vif5.0"));
        Assert.Contains("inet 169.254.169.254/32", x.Host.AddrShow("gnt.com.0"));
        Assert.Contains("169.254.7.7 dev gnt.com.0 proto static scope link", string.Join('\n', x.Ns.Routes()));
        Assert.Equal("0", x.Ns.Sysctl("net/ipv4/conf/gnt.com.0/forwarding"));
        Assert.Equal("1", x.Ns.Sysctl("net/ipv4/conf/gnt.com.0/rp_filter"));
        Assert.Contains("kind=vif", x.Host.Record("gnt.com.0"));
        Assert.Contains("instance=vm7.example.org", x.Host.Record("gnt.com.0"));
        // hotplug-status is the last thing written.
        Assert.Equal("WRITE backend/vif/5/0/hotplug-status", x.Store.Requests.Last(r => r.StartsWith("WRITE")));

        // The guest (behind netback) reaches a service on 169.254.169.254.
        x.Guest.Ip("addr", "add", "169.254.7.7/16", "dev", "eth0");
        x.Guest.Ip("link", "set", "eth0", "up");
        using (var listener = InNamespace.TcpListen(x.Ns, "169.254.169.254", 80))
        {
            Exchange.AcceptEcho(listener);
            Assert.Equal("ECHO from 169.254.7.7: GET /", InNamespace.TcpRoundTrip(x.Guest, "169.254.169.254", 80, "GET /"));
        }

        // libxl's offline passes the original name (vif5.0) in $vif.
        for (int i = 0; i < 2; i++)
        {
            var offline = x.Vif("offline", vif, 5, 0);
            Assert.True(offline.Code == 0, offline.ToString());
            Assert.DoesNotContain(x.Ns.Routes(), r => r.StartsWith("169.254.7.7"));
            Assert.Empty(x.Host.Records());
        }
    }

    [HostFact("xenstore-read")]
    public void Channel_vif_without_vifname_is_named_when_the_config_says_the_script_serves_the_channel()
    {
        using var x = new XenHost("dhcp = off\nxen_channel = yes\n");
        x.Ns.Ip("tuntap", "add", "dev", "gnt.com.0", "mode", "tap");
        string vif = x.AddVif(6, 0, GuestMac, ip: "169.254.7.8");
        var online = x.Vif("online", vif, 6, 0);
        Assert.True(online.Code == 0, online.ToString());
        Assert.Contains("169.254.7.8 dev gnt.com.1", string.Join('\n', x.Ns.Routes()));
    }

    [HostFact("xenstore-read")]
    public void A_vifname_that_already_exists_is_refused_with_hotplug_error()
    {
        using var x = new XenHost();
        x.Ns.Ip("tuntap", "add", "dev", "gnt.com.0", "mode", "tap");
        string vif = x.AddVif(5, 0, GuestMac, ip: "169.254.7.7", vifname: "gnt.com.0");
        string b = XenHost.Backend(5, 0);

        var online = x.Vif("online", vif, 5, 0);

        Assert.Equal(1, online.Code);
        Assert.Contains("another interface already has that name", online.Err);
        Assert.Equal("error", x.Store.Read(b + "/hotplug-status"));
        Assert.Contains("gnt.com.0", x.Store.Read(b + "/hotplug-error"));
        Assert.True(x.Ns.LinkExists("vif5.0"));
        Assert.Empty(x.Ns.Routes());
        Assert.Empty(x.Host.Records());
    }

    [HostTheory("xenstore-read")]
    [InlineData("gnt.com.0", "169.254.7.7\n10.0.0.1", "ip '169.254.7.7\\n10.0.0.1'")]
    [InlineData("gnt.com.0", "169.254.7.7 169.254.7.8", "exactly one guest IP")]
    [InlineData("gnt.com.0", "0x7f.1", "'0x7f.1' is not an IPv4 address")]
    [InlineData(null, "10.9.0.5;reboot", "'10.9.0.5;reboot' is not an IPv4 address")]
    [InlineData(null, "10.9.0.5/33", "'10.9.0.5/33' is not a network")]
    public void A_garbage_ip_node_is_refused_and_nothing_is_configured(string? vifname, string ip, string expected)
    {
        using var x = new XenHost();
        x.Ns.Ip("tuntap", "add", "dev", "eth0", "mode", "tap");
        x.Ns.Ip("addr", "add", "192.0.2.1/24", "dev", "eth0");
        string vif = x.AddVif(5, 0, GuestMac, ip: ip, vifname: vifname);
        string b = XenHost.Backend(5, 0);

        var online = x.Vif("online", vif, 5, 0);

        Assert.NotEqual(0, online.Code);
        Assert.Single(online.Err.TrimEnd('\n').Split('\n'));
        Assert.Contains(expected, online.Err);
        Assert.Equal("error", x.Store.Read(b + "/hotplug-status"));
        Assert.Contains(expected, x.Store.Read(b + "/hotplug-error") ?? "", StringComparison.Ordinal);
        Assert.True(x.Ns.LinkExists("vif5.0"));
        Assert.DoesNotContain("inet ", x.Host.AddrShow("vif5.0"));
        Assert.DoesNotContain(x.Ns.Routes(), r => r.Contains("vif5.0"));
    }

    [HostFact("xenstore-read")]
    public void Missing_XENBUS_PATH_or_unreachable_xenstore_fail_online_but_not_offline()
    {
        using var x = new XenHost();
        string vif = x.AddVif(5, 0, GuestMac, ip: "169.254.7.7", vifname: "gnt.com.0");

        var noPath = x.Vif("online", vif, 5, 0, ("XENBUS_PATH", null));
        Assert.Equal(2, noPath.Code);
        Assert.Contains("XENBUS_PATH is not set", noPath.Err);

        var badPath = x.Vif("online", vif, 5, 0, ("XENBUS_PATH", "backend/vif/5/../../../x"));
        Assert.Equal(2, badPath.Code);
        Assert.Contains("is not backend/vif/DOM/DEV", badPath.Err);

        string nowhere = System.IO.Path.Combine(x.Host.Sandbox.Dir, "no-xenstored");
        var unreachable = x.Vif("online", vif, 5, 0, ("XENSTORED_PATH", nowhere));
        Assert.Equal(1, unreachable.Code);
        Assert.Contains("cannot connect to xenstore (" + nowhere + ")", unreachable.Err);

        var offline = x.Vif("offline", vif, 5, 0, ("XENSTORED_PATH", nowhere));
        Assert.Equal(0, offline.Code);
        Assert.True(x.Ns.LinkExists("vif5.0"));
        Assert.Empty(x.Ns.Routes());
        Assert.Empty(x.Host.Records());
    }

    [HostFact("xenstore-read")]
    public void Actions_are_checked_and_mismatched_ones_are_no_ops_as_in_vif_common()
    {
        using var x = new XenHost();
        string vif = x.AddVif(5, 0, GuestMac, ip: "169.254.7.7", vifname: "gnt.com.0");
        var bogus = x.Vif("restart", vif, 5, 0);
        Assert.Equal(2, bogus.Code);
        Assert.Contains("action 'restart' must be online, offline, add or remove", bogus.Err);
        // add/remove concern emulated taps: for a PV vif they do nothing.
        var add = x.Vif("add", vif, 5, 0);
        Assert.Equal(0, add.Code);
        Assert.True(x.Ns.LinkExists("vif5.0"));
        Assert.Equal("", x.Store.Read(XenHost.Backend(5, 0) + "/hotplug-status"));
    }
}

/// <summary>A host without libxenstore gets a clear error naming the package.</summary>
public sealed class MissingLibxenstoreTests
{
    [HostFact("unshare", "xenstore-read")]
    public void A_missing_libxenstore_is_a_clear_error_naming_the_package()
    {
        using var x = new XenHost();
        string vif = x.AddVif(5, 0, "00:16:3e:00:07:07", ip: "169.254.7.7", vifname: "gnt.com.0");
        string lib = System.IO.File.ResolveLinkTarget("/usr/lib/x86_64-linux-gnu/libxenstore.so.4", true)?.FullName
            ?? "/usr/lib/x86_64-linux-gnu/libxenstore.so.4";
        // In a mount namespace of its own, the library file is hidden under /dev/null.
        var r = Proc.Run("unshare", new[]
        {
            "-m", "--propagation", "private", "sh", "-c",
            "mount --bind /dev/null " + lib + " && exec ip netns exec " + x.Ns.Name + " " + Repo.Bin("vif-gnt-com") + " online",
        }, x.Host.Sandbox.Env(("vif", vif), ("XENBUS_PATH", "backend/vif/5/0"), ("XENSTORED_PATH", x.Store.SocketPath)));
        Assert.Equal(1, r.Code);
        Assert.Equal("vif-gnt-com: error: libxenstore.so.4 not found: install libxenstore4 (the xenstore client library xl uses)\n", r.Err);
        Assert.True(x.Ns.LinkExists("vif5.0"));
    }
}
