using System.Net;
using GntCom;
using GntCom.Config;
using GntCom.Dhcp;
using GntCom.Journaling;
using GntCom.State;
using Xunit;

namespace GntCom.Tests.Unit;

public sealed class StateTextTests
{
    private static readonly GntComConfig Cfg = GntComConfig.FromText("");

    private static ChannelRecord Record(string name, string ip, string mac) => new()
    {
        Name = name, Original = "tap0", Index = 7, Ip = IPAddress.Parse(ip), Mac = mac, Instance = "vm1", Owner = 42,
    };

    [Fact]
    public void Records_round_trip()
    {
        var r = Record("gnt.com.3", "169.254.1.2", "52:54:00:12:34:56") with { Pending = true, Kind = ChannelKind.Vif };
        var back = ChannelRecord.Parse("gnt.com.3", r.Serialize(), Cfg);
        Assert.Equal(r, back);
    }

    [Fact]
    public void Journal_origin_lines_take_owner_0_of_an_adopted_channel_but_no_garbage()
    {
        Assert.Equal("origin gnt.com.0 0 gnt.com.0", new OriginStep("gnt.com.0", 0, "gnt.com.0").ToString());
        Assert.Equal(4242, Assert.IsType<OriginStep>(JournalStep.Parse("origin tap0 4242 gnt.com.1")).Owner);
        Assert.Throws<InvalidInputException>(() => JournalStep.Parse("origin tap0 -1 gnt.com.1"));
        Assert.Throws<InvalidInputException>(() => JournalStep.Parse("origin tap0 99999999999 gnt.com.1"));
    }

    [Theory]
    [InlineData("gnt.com.3", "name=gnt.com.4\noriginal=tap0\nifindex=7\nip=169.254.1.2\nmac=52:54:00:12:34:56\nstate=up\n", "names 'gnt.com.4'")]
    [InlineData("gnt.com.3", "name=gnt.com.3\noriginal=tap0\nifindex=7\nip=8.8.8\nmac=52:54:00:12:34:56\nstate=up\n", "is not an IPv4 address")]
    [InlineData("gnt.com.3", "name=gnt.com.3\noriginal=ta/p0\nifindex=7\nip=169.254.1.2\nmac=52:54:00:12:34:56\nstate=up\n", "not a valid interface name")]
    [InlineData("gnt.com.3", "name=gnt.com.3\noriginal=tap0\nifindex=x\nip=169.254.1.2\nmac=52:54:00:12:34:56\nstate=up\n", "bad ifindex")]
    [InlineData("gnt.com.3", "name=gnt.com.3\noriginal=tap0\nifindex=7\nip=169.254.1.2\nstate=up\n", "lacks mac")]
    public void A_tampered_record_is_refused(string file, string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<InvalidInputException>(() => ChannelRecord.Parse(file, text, Cfg)).Message);

    [Fact]
    public void The_hosts_file_has_one_mac_ip_line_per_guest()
    {
        var text = DnsmasqConfig.Hosts(new[] { ("52:54:00:00:00:01", "169.254.1.2"), ("52:54:00:00:00:02", "169.254.1.3") });
        Assert.Equal("52:54:00:00:00:01,169.254.1.2\n52:54:00:00:00:02,169.254.1.3\n", text);
    }

    [Fact]
    public void The_dnsmasq_config_serves_static_leases_only_without_router_or_dns()
    {
        string conf = DnsmasqConfig.Render(Cfg, DhcpMode.BindDynamic, new[] { "gnt.com.0" }, "/run/h", "/run/p");
        Assert.StartsWith("# Written by GntCom", conf);
        foreach (string line in new[] { "bind-dynamic", "interface=gnt.com.*", "except-interface=lo", "except-interface=eth*",
            "dhcp-authoritative", "dhcp-hostsfile=/run/h", "dhcp-range=169.254.0.0,static,255.255.0.0,infinite",
            "dhcp-option=3", "dhcp-option=6", "leasefile-ro", "port=0", "pid-file=/run/p" })
            Assert.Contains("\n" + line + "\n", conf + "\n");
        Assert.DoesNotContain("gnt.com.0", conf);

        string bi = DnsmasqConfig.Render(Cfg, DhcpMode.BindInterfaces, new[] { "gnt.com.0", "gnt.com.5" }, "/run/h", "/run/p");
        Assert.Contains("\nbind-interfaces\ninterface=gnt.com.0\ninterface=gnt.com.5\n", bi);
        string wild = DnsmasqConfig.Render(Cfg, DhcpMode.Wildcard, new[] { "gnt.com.0" }, "/run/h", "/run/p");
        Assert.DoesNotContain("bind-", wild);
        Assert.Contains("\ninterface=gnt.com.*\n", wild);
    }

    [Fact]
    public void Interface_ipv6_addresses_are_unique_per_channel_index()
    {
        Assert.Equal("fe80::a9fe:a9fe:0:0", DhcpManager.InterfaceIpv6(0).ToString());
        Assert.Equal("fe80::a9fe:a9fe:1:2", DhcpManager.InterfaceIpv6(0x10002).ToString());
    }
}
