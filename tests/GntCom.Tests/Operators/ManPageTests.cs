using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using GntCom.Config;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Operators;

/// <summary>The manual pages: lint clean, and in step with the settings and verbs the code has.</summary>
public sealed class ManPageTests
{
    public static TheoryData<string> Pages()
    {
        var data = new TheoryData<string>();
        foreach (string p in ManPage.All()) data.Add(p);
        return data;
    }

    [Fact]
    public void Every_executable_and_the_config_file_have_a_page()
    {
        Assert.Equal(
            new[] { "gnt-com-ifdown.8", "gnt-com-ifup.8", "gnt-com.8", "gnt-com.conf.5", "vif-gnt-com.8" },
            ManPage.All().ToArray());
    }

    [HostTheory("mandoc")]
    [MemberData(nameof(Pages))]
    public void Page_is_clean_under_mandoc_lint(string page)
    {
        var r = Proc.Run("mandoc", "-T", "lint", "-W", "warning", System.IO.Path.Combine(ManPage.Dir, page));
        Assert.True(r.Code == 0 && r.Out == "" && r.Err == "", r.ToString());
    }

    [HostTheory("groff")]
    [MemberData(nameof(Pages))]
    public void Page_is_clean_under_groff_warnings(string page)
    {
        var r = Proc.Run("groff", "-ww", "-z", "-man", System.IO.Path.Combine(ManPage.Dir, page));
        Assert.True(r.Code == 0 && r.Err == "", r.ToString());
    }

    [Fact]
    public void Gnt_com_conf_5_documents_exactly_the_keys_the_parser_knows_in_their_order()
    {
        Assert.Equal(GntComConfig.Keys.ToList(), ManPage.Load("gnt-com.conf.5").Tags("SETTINGS"));
    }

    /// <summary>The verbs `gnt-com --help` lists (without the parser's own help and version).</summary>
    private static List<string> CliVerbs()
    {
        var help = Proc.Run(Repo.Bin("gnt-com"), "--help");
        Assert.True(help.Code == 0, help.ToString());
        return Regex.Matches(help.Out, @"^  ([a-z][a-z-]*) {2,}", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).Where(v => v is not ("help" or "version"))
            .Distinct().OrderBy(v => v, StringComparer.Ordinal).ToList();
    }

    [Fact]
    public void Gnt_com_8_documents_exactly_the_verbs_the_cli_has()
    {
        var documented = ManPage.Load("gnt-com.8").Tags("COMMANDS").Distinct().OrderBy(v => v, StringComparer.Ordinal).ToList();
        Assert.Equal(documented, CliVerbs());
    }

    [Fact]
    public void Gnt_com_8_documents_every_option_of_every_verb()
    {
        string page = ManPage.Load("gnt-com.8").Text;
        var missing = new List<string>();
        foreach (string verb in CliVerbs())
        {
            var help = Proc.Run(Repo.Bin("gnt-com"), verb, "--help");
            foreach (Match m in Regex.Matches(help.Out, @"^  (--[a-z][a-z-]*)", RegexOptions.Multiline))
                if (!page.Contains(m.Groups[1].Value, StringComparison.Ordinal)) missing.Add(verb + " " + m.Groups[1].Value);
        }
        Assert.Empty(missing);
    }

    [Fact]
    public void Gnt_com_ifup_8_names_every_variable_of_both_protocols()
    {
        var documented = ManPage.Load("gnt-com-ifup.8").Tags("ENVIRONMENT");
        foreach (string v in new[] { "IP", "MAC", "INSTANCE", "MODE", "INTERFACE", "ACTION", "MIGRATION_PHASE", "GNT_COM_CONF" })
            Assert.Contains(v, documented);
        string hooks = string.Join('\n', ManPage.Load("gnt-com-ifup.8").Section("HOOKS").Select(ManPage.Plain));
        foreach (string v in new[] { "GNT_COM_ORIGINAL_INTERFACE", "GNT_COM_KIND", "GNT_COM_IFINDEX", "hook_timeout" })
            Assert.Contains(v, hooks);
    }

    [Fact]
    public void Vif_gnt_com_8_names_the_store_nodes_it_reads_and_writes()
    {
        var page = ManPage.Load("vif-gnt-com.8");
        var nodes = page.Tags("PROTOCOL");
        foreach (string n in new[] { "vifname", "ip", "mac", "gatewaydev", "/local/domain/D/name", "hotplug-status", "hotplug-error" })
            Assert.Contains(n, nodes);
    }

    [Theory]
    [InlineData("gnt-com.8", "EXIT STATUS")]
    [InlineData("gnt-com-ifup.8", "EXIT STATUS")]
    [InlineData("vif-gnt-com.8", "EXIT STATUS")]
    public void Exit_codes_are_the_four_every_executable_uses(string page, string section)
    {
        Assert.Equal(new[] { "0", "1", "2", "70" }, ManPage.Load(page).Tags(section));
    }
}
