using GntCom;
using GntCom.Inputs;
using Xunit;

namespace GntCom.Tests.Unit;

public sealed class InputTests
{
    [Theory]
    [InlineData("169.254.1.2", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("1", false)]            // inet_aton would take it as 0.0.0.1
    [InlineData("1.2.3", false)]
    [InlineData("0x7f.0.0.1", false)]
    [InlineData("010.0.0.1", false)]    // octal in inet_aton
    [InlineData("1.2.3.256", false)]
    [InlineData("1.2.3.4.5", false)]
    [InlineData(" 1.2.3.4", false)]
    [InlineData("1.2.3.4\n", false)]
    [InlineData("1..3.4", false)]
    [InlineData("", false)]
    [InlineData("::1", false)]
    public void Ipv4_accepts_only_four_decimal_octets(string text, bool valid) =>
        Assert.Equal(valid, Ipv4.TryParse(text) != null);

    [Fact]
    public void Networks_are_cidr_without_host_bits()
    {
        var net = Ipv4Network.Parse("169.254.0.0/16", "network");
        Assert.True(net.Contains(Ipv4.Parse("169.254.200.1", "ip")));
        Assert.False(net.Contains(Ipv4.Parse("169.255.0.1", "ip")));
        Assert.Equal("255.255.0.0", net.Netmask.ToString());
        Assert.Equal("169.254.255.255", net.Broadcast.ToString());
        Assert.Contains("host bits set", Assert.Throws<InvalidInputException>(() => Ipv4Network.Parse("169.254.0.1/16", "network")).Message);
        Assert.Throws<InvalidInputException>(() => Ipv4Network.Parse("169.254.0.0/33", "network"));
        Assert.Throws<InvalidInputException>(() => Ipv4Network.Parse("169.254.0.0/016", "network"));
        Assert.Throws<InvalidInputException>(() => Ipv4Network.Parse("169.254.0.0", "network"));
    }

    [Theory]
    [InlineData("52:54:00:12:34:56", "52:54:00:12:34:56")]
    [InlineData("52-54-00-AB-CD-EF", "52:54:00:ab:cd:ef")]
    [InlineData("52:54:00:12:34", null)]
    [InlineData("52:54:00:12:34:5g", null)]
    [InlineData("52:54-00:12:34:56", null)]
    [InlineData("5254.0012.3456", null)]
    public void Macs_are_normalised_or_refused(string text, string? expected) =>
        Assert.Equal(expected, MacAddress.TryNormalize(text));

    [Fact]
    public void Guest_macs_must_be_unicast_and_not_zero()
    {
        Assert.Contains("multicast", Assert.Throws<InvalidInputException>(() => MacAddress.Parse("33:33:00:00:00:01", "MAC")).Message);
        Assert.Contains("all-zero", Assert.Throws<InvalidInputException>(() => MacAddress.Parse("00:00:00:00:00:00", "MAC")).Message);
    }

    [Theory]
    [InlineData("gnt.com.0", true)]
    [InlineData("vif5.0-emu", true)]
    [InlineData("tap0", true)]
    [InlineData("123456789012345", true)]
    [InlineData("1234567890123456", false)]
    [InlineData("", false)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("a/b", false)]
    [InlineData("a b", false)]
    [InlineData("eth0:1", false)]
    [InlineData("tap\n0", false)]
    [InlineData("t$(x)", false)]
    public void Interface_names_follow_the_kernel_and_stay_safe(string name, bool valid)
    {
        if (valid) Assert.Equal(name, Names.Interface(name, "interface"));
        else Assert.Throws<InvalidInputException>(() => Names.Interface(name, "interface"));
    }

    [Fact]
    public void Quoted_values_never_span_lines()
    {
        Assert.Equal("'a\\nb'", Quote.Value("a\nb"));
        Assert.Equal("'tab\\there'", Quote.Value("tab\there"));
        Assert.Equal("'\\u001b[31m'", Quote.Value("\u001b[31m"));
        Assert.Equal("(unset)", Quote.Value(null));
        Assert.EndsWith("...'", Quote.Value(new string('x', 100)));
    }
}
