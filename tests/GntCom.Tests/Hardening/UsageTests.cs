using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Hardening;

/// <summary>A wrong verb is one line that names it and says where the usage is, not a screenful of help.</summary>
public sealed class UsageTests
{
    [Theory]
    [InlineData("frobnicate")]
    [InlineData("frobnicate --ip 169.254.1.2")]
    [InlineData("--config /nonexistent/gnt-com.conf frobnicate")]
    public void An_unknown_verb_is_one_line_naming_it_and_pointing_at_help_exit_2(string argv)
    {
        var r = Proc.Run(Repo.Bin("gnt-com"), argv.Split(' '));

        Assert.True(r.Code == 2, r.ToString());
        Assert.Equal("", r.Out);
        Assert.Equal("gnt-com: error: unknown verb 'frobnicate' (see gnt-com --help)\n", r.Err);
    }
}
