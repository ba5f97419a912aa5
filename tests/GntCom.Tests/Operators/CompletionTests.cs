using System;
using System.Collections.Generic;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Operators;

/// <summary>Bash completion for gnt-com, driven as bash drives it: COMP_WORDS, COMP_CWORD, then COMPREPLY.</summary>
public sealed class CompletionTests
{
    /// <summary>
    /// The completions bash would offer for <paramref name="words"/> (the last one is the
    /// word being completed; the first is the real out/gnt-com). Runs in <paramref name="ns"/>
    /// when given, with <paramref name="env"/>.
    /// </summary>
    private static string[] Complete(string[] words, NetNs? ns = null, Dictionary<string, string?>? env = null)
    {
        var all = new[] { Repo.Bin("gnt-com") }.Concat(words).ToArray();
        string script =
            ". " + Repo.Script("scripts/bash-completion/gnt-com") + "\n" +
            "COMP_WORDS=(" + string.Join(' ', all.Select(w => "'" + w.Replace("'", "'\\''") + "'")) + ")\n" +
            "COMP_CWORD=" + (all.Length - 1) + "\n" +
            "_gnt_com\n" +
            "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        var r = ns != null ? ns.Exec("/bin/bash", new[] { "-c", script }, env) : Proc.Run("/bin/bash", new[] { "-c", script }, env);
        Assert.True(r.Code == 0, r.ToString());
        return r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [HostFact("bash")]
    public void Completes_verbs_then_each_verbs_options()
    {
        Assert.Equal(new[] { "allocate", "release", "status", "check", "repair", "adopt", "ganeti", "down", "dhcp", "help", "version" }, Complete(new[] { "" }));
        Assert.Equal(new[] { "release", "repair" }, Complete(new[] { "re" }));
        Assert.Equal(new[] { "--config", "--help", "--version" }, Complete(new[] { "--" }));
        Assert.Equal(new[] { "--ip", "--mac", "--instance", "--config", "--help" }, Complete(new[] { "allocate", "--" }));
        Assert.Equal(new[] { "--instance" }, Complete(new[] { "allocate", "--ip", "169.254.1.1", "--in" }));
        Assert.Equal(new[] { "--json" }, Complete(new[] { "status", "--j" }));
        Assert.Equal(new[] { "--json" }, Complete(new[] { "check", "--j" }));
        Assert.Equal(new[] { "--ganeti-run-dir", "--dry-run" }, Complete(new[] { "adopt", "--g", }).Concat(Complete(new[] { "adopt", "--d" })));
        Assert.Empty(Complete(new[] { "allocate", "--mac", "" }));
        Assert.Equal(new[] { "--all" }, Complete(new[] { "down", "--a" }));
    }

    [HostFact("bash")]
    public void Completes_one_ganeti_action_and_its_options()
    {
        Assert.Equal(new[] { "enable", "disable", "refresh" }, Complete(new[] { "ganeti", "" }));
        Assert.Equal(new[] { "--quiet" }, Complete(new[] { "ganeti", "disable", "--q" }));
        Assert.Equal(new[] { "disable" }, Complete(new[] { "ganeti", "d" }));
        Assert.Equal(new[] { "--dry-run" }, Complete(new[] { "ganeti", "enable", "--d" }));
        Assert.Empty(Complete(new[] { "ganeti", "enable", "" }));
    }

    [HostFact("bash")]
    public void Completes_one_dhcp_action()
    {
        Assert.Equal(new[] { "status", "reload", "stop" }, Complete(new[] { "dhcp", "" }));
        Assert.Equal(new[] { "reload" }, Complete(new[] { "--config", "/x", "dhcp", "rel" }));
        Assert.Empty(Complete(new[] { "dhcp", "reload", "" }));
    }

    [HostFact("bash", "ip")]
    public void Release_completes_the_reserved_names_status_lists()
    {
        using var h = new Host();
        h.AddTap("gnt.com.0");
        Assert.Equal(0, h.Admin("allocate", "--ip", "169.254.4.1", "--mac", "52:54:00:04:00:01", "--instance", "a").Code);
        Assert.Equal(0, h.Admin("allocate", "--ip", "169.254.4.2", "--mac", "52:54:00:04:00:02").Code);
        Assert.Contains("reserved:\n  gnt.com.1", h.Admin("status").Out);

        // Through $GNT_COM_CONF, and through --config on the command line.
        Assert.Equal(new[] { "gnt.com.1", "gnt.com.2" }, Complete(new[] { "release", "" }, h.Ns, h.Sandbox.Env()));
        var noEnv = new Dictionary<string, string?> { ["GNT_COM_CONF"] = null };
        Assert.Equal(new[] { "gnt.com.2" }, Complete(new[] { "--config", h.Sandbox.ConfigPath, "release", "gnt.com.2" }, h.Ns, noEnv));
        Assert.Equal(new[] { "gnt.com.1", "gnt.com.2" }, Complete(new[] { "release", "--config", h.Sandbox.ConfigPath, "" }, h.Ns, noEnv));
        Assert.Empty(Complete(new[] { "release", "gnt.com.1", "" }, h.Ns, h.Sandbox.Env()));
    }
}
