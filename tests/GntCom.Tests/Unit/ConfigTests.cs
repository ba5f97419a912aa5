using System.IO;
using GntCom;
using GntCom.Config;
using Xunit;

namespace GntCom.Tests.Unit;

public sealed class ConfigTests
{
    [Fact]
    public void Defaults_need_no_file()
    {
        var cfg = GntComConfig.FromText("");
        Assert.Equal("gnt.com.", cfg.InterfacePrefix);
        Assert.Equal("169.254.169.254", cfg.Address.ToString());
        Assert.Equal("169.254.0.0/16", cfg.Network.ToString());
        Assert.Equal("/run/gnt-com", cfg.StateDir);
        Assert.Equal("/etc/gnt-com", cfg.HooksDir);
        Assert.Equal(DhcpProvider.Dnsmasq, cfg.Dhcp);
        Assert.Equal(DhcpMode.Auto, cfg.DhcpMode);
        Assert.Equal(new[] { "lo", "eth*" }, cfg.DhcpExceptInterfaces);
        Assert.Equal(9999999, cfg.MaxIndex);
    }

    [Fact]
    public void A_missing_default_file_is_fine_but_a_named_one_is_not()
    {
        Assert.Contains("cannot read", Assert.Throws<InvalidInputException>(() => GntComConfig.Load("/nonexistent/gnt-com.conf")).Message);
    }

    [Fact]
    public void Settings_are_read_with_comments_and_spaces()
    {
        var cfg = GntComConfig.FromText("# comment\n  network = 10.77.0.0/16 \nstate_dir=/var/lib/gnt\ndhcp_mode = bind-interfaces\n" +
            "dhcp_except_interfaces = lo, eth*, bond0\nhook_timeout = 5\nxen_channel = yes\ndhcp = external\n");
        Assert.Equal("10.77.0.0/16", cfg.Network.ToString());
        Assert.Equal("/var/lib/gnt", cfg.StateDir);
        Assert.Equal(DhcpMode.BindInterfaces, cfg.DhcpMode);
        Assert.Equal(new[] { "lo", "eth*", "bond0" }, cfg.DhcpExceptInterfaces);
        Assert.Equal(5, cfg.HookTimeout.TotalSeconds);
        Assert.True(cfg.XenChannel);
        Assert.Equal(DhcpProvider.External, cfg.Dhcp);
    }

    [Theory]
    [InlineData("netwrok = 10.0.0.0/8", "conf:1: unknown setting 'netwrok'")]
    [InlineData("\nstate_dir = relative/path", "conf:2: state_dir 'relative/path' must be an absolute path")]
    [InlineData("state_dir = /run/x\ny", "conf:2: expected 'key = value'")]
    [InlineData("dhcp_hosts_file = /run/a b", "must be an absolute path of letters")]
    [InlineData("state_dir = /run/../etc", "must not contain '..'")]
    [InlineData("dhcp = maybe", "dhcp 'maybe' must be dnsmasq, external or off")]
    [InlineData("interface_prefix = gnt.com.0", "must not end in a digit")]
    [InlineData("interface_prefix = averyverylongpfx", "is longer than 15 bytes")]
    [InlineData("interface_prefix = averylongprefix", "leaves no room")]
    [InlineData("hook_timeout = -1", "hook_timeout '-1'")]
    [InlineData("dhcp_lease_time = 1m", "dhcp_lease_time '1m'")]
    [InlineData("dhcp_except_interfaces = lo eth0\\nx", "not a valid interface name")]
    public void Bad_settings_are_errors_naming_the_line(string text, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() => GntComConfig.FromText(text, "conf"));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("gnt.com.0", 0)]
    [InlineData("gnt.com.10", 10)]
    [InlineData("gnt.com.9999999", 9999999)]
    [InlineData("gnt.com.", -1)]
    [InlineData("gnt.com.01", -1)]
    [InlineData("gnt.com.1a", -1)]
    [InlineData("gnt.com.-1", -1)]
    [InlineData("xgnt.com.1", -1)]
    [InlineData("gnt.com.10000000", -1)]
    public void Channel_names_match_exactly(string name, int index) =>
        Assert.Equal(index, GntComConfig.FromText("").ChannelIndex(name));

    [Theory]
    [InlineData("169.254.1.2", null)]
    [InlineData("169.254.169.254", "is the host's channel address")]
    [InlineData("169.254.0.0", "network or broadcast")]
    [InlineData("169.254.255.255", "network or broadcast")]
    [InlineData("10.1.1.1", "outside the channel network")]
    public void Guest_ips_are_checked_against_the_channel(string ip, string? error)
    {
        var cfg = GntComConfig.FromText("");
        if (error == null) Assert.Equal(ip, cfg.GuestIp(ip, "IP").ToString());
        else Assert.Contains(error, Assert.Throws<InvalidInputException>(() => cfg.GuestIp(ip, "IP")).Message);
    }

    [Fact]
    public void The_environment_names_the_config_file()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, "network = 10.5.0.0/16\n");
        try
        {
            System.Environment.SetEnvironmentVariable(GntComConfig.EnvironmentVariable, path);
            Assert.Equal("10.5.0.0/16", GntComConfig.Load().Network.ToString());
            Assert.Equal(path, GntComConfig.Load().Source);
        }
        finally
        {
            System.Environment.SetEnvironmentVariable(GntComConfig.EnvironmentVariable, null);
            File.Delete(path);
        }
    }

    [Fact]
    public void Every_listed_key_is_accepted_and_no_other()
    {
        foreach (string key in GntComConfig.Keys)
        {
            // A value no key accepts: the error must be about the value, not the key.
            var e = Assert.Throws<InvalidInputException>(() => GntComConfig.FromText(key + " = \u0001", "conf"));
            Assert.DoesNotContain("unknown setting", e.Message);
        }
        Assert.Contains("unknown setting", Assert.Throws<InvalidInputException>(() => GntComConfig.FromText("lock_timeouts = 3", "conf")).Message);
        string example = File.ReadAllText(Path.Combine(Infrastructure.Repo.Root, "scripts", "gnt-com.conf.example"));
        foreach (string key in GntComConfig.Keys) Assert.Contains("#" + key + " = ", example);
    }

    [Fact]
    public void Lock_timeout_and_dhcp_required_are_read()
    {
        var cfg = GntComConfig.FromText("lock_timeout = 7\ndhcp_required = yes\n");
        Assert.Equal(7, cfg.LockTimeout.TotalSeconds);
        Assert.True(cfg.DhcpRequired);
        var defaults = GntComConfig.FromText("");
        Assert.Equal(30, defaults.LockTimeout.TotalSeconds);
        Assert.False(defaults.DhcpRequired);
    }
}
