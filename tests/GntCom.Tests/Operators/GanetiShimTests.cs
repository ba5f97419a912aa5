using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Operators;

/// <summary>
/// The Ganeti shims that `gnt-com ganeti enable` puts in place of /etc/ganeti/kvm-ifup-os
/// and xen-ifup-os run the real installed gnt-com-ifup: sourced by bash as Ganeti 3.x's
/// kvm-ifup does (success returns and the caller goes on; failure ends the caller
/// non-zero), and executed as Ganeti master and the Xen path do. Everything runs in a
/// network namespace of the test's own.
/// </summary>
public sealed class GanetiShimTests : IDisposable
{
    private readonly Installation _inst;
    private readonly Host _host;

    public GanetiShimTests()
    {
        _inst = new Installation();
        _host = new Host();
        // The shim passes the installed config: point its state and hooks into the sandbox.
        string ganeti = Path.Combine(_inst.SysConfDir, "ganeti");
        File.AppendAllText(_inst.Config, "state_dir = " + _host.Sandbox.StateDir + "\nhooks_dir = " + _host.Sandbox.HooksDir
            + "\nganeti_dir = " + ganeti + "\nsyslog_socket = off\ndhcp = off\n");
        Ganeti.GanetiPackage.WriteConfFiles(ganeti);
        var enable = _host.Ns.Exec(Path.Combine(_inst.Prefix, "sbin", "gnt-com"), new[] { "--config", _inst.Config, "ganeti", "enable" }, null);
        Assert.True(enable.Code == 0, enable.ToString());
    }

    private string Shim(string name) => Path.Combine(_inst.SysConfDir, "ganeti", name);

    public void Dispose()
    {
        _host.Dispose();
        _inst.Dispose();
    }

    /// <summary>Ganeti builds the NIC script's environment afresh: no GNT_COM_CONF.</summary>
    private static Dictionary<string, string?> GanetiEnv(params (string Key, string Value)[] vars)
    {
        var env = new Dictionary<string, string?> { ["GNT_COM_CONF"] = null, ["PATH"] = "/usr/bin:/bin:/usr/sbin:/sbin" };
        foreach (var (k, v) in vars) env[k] = v;
        return env;
    }

    /// <summary>A caller like Ganeti 3.1's kvm-ifup: sources the shim, then goes on to exec the next script.</summary>
    private ProcResult SourcedByBash(string shim, Dictionary<string, string?> env)
    {
        string vars = Path.Combine(_inst.Dir, "vars");
        string caller =
            "true | true\n" +
            "(set -o posix; set) > " + vars + ".before\n" +
            ". " + Shim(shim) + "\n" +
            "(set -o posix; set) > " + vars + ".after\n" +
            "echo 'caller goes on'\n" +
            "exec /bin/echo 'exec kvm-vif-bridge'\n";
        var r = _host.Ns.Exec("/bin/bash", new[] { "-c", caller }, env);
        return r;
    }

    /// <summary>Shell variables (NAME=value) the sourced shim added or changed, bash's own moving ones aside.</summary>
    private string[] VariablesTheShimSet()
    {
        string vars = Path.Combine(_inst.Dir, "vars");
        string[] moving = { "BASH_ARGC", "BASH_ARGV", "BASH_LINENO", "BASH_SOURCE", "BASH_COMMAND", "BASH_SUBSHELL", "BASHPID",
            "LINENO", "PIPESTATUS", "RANDOM", "SRANDOM", "SECONDS", "EPOCHREALTIME", "EPOCHSECONDS", "_" };
        return File.ReadAllLines(vars + ".after").Except(File.ReadAllLines(vars + ".before"))
            .Where(l => !moving.Contains(l.Split('=')[0])).ToArray();
    }

    [HostFact("bash", "ip")]
    public void Sourced_shim_leaves_a_non_channel_nic_alone_and_returns_to_its_caller()
    {
        _host.AddTap("tap0");
        var r = SourcedByBash("kvm-ifup-os", GanetiEnv(("INTERFACE", "tap0"), ("MODE", "bridged"), ("IP", "169.254.9.9"), ("MAC", "52:54:00:09:09:09")));
        Assert.True(r.Code == 0, r.ToString());
        Assert.Equal("caller goes on\nexec kvm-vif-bridge\n", r.Out);
        Assert.Empty(VariablesTheShimSet());
        Assert.DoesNotContain("inet ", _host.AddrShow("tap0"));
        Assert.Empty(_host.Records());
    }

    [HostFact("bash", "ip")]
    public void Sourced_shim_sets_the_channel_up_then_returns_and_master_executing_it_with_action_down_tears_it_down()
    {
        _host.AddTap("gnt.com.0");
        var up = GanetiEnv(("INTERFACE", "gnt.com.0"), ("MODE", "routed"), ("IP", "169.254.9.9"), ("MAC", "52:54:00:09:09:09"), ("INSTANCE", "vm9"));
        var r = SourcedByBash("kvm-ifup-os", up);
        Assert.True(r.Code == 0, r.ToString());
        Assert.Equal("caller goes on\nexec kvm-vif-bridge\n", r.Out);
        Assert.Empty(VariablesTheShimSet());
        Assert.Contains("inet 169.254.169.254/32", _host.AddrShow("gnt.com.0"));
        Assert.Contains("169.254.9.9 dev gnt.com.0 proto static scope link", string.Join('\n', _host.Ns.Routes()));
        Assert.Equal(new[] { "gnt.com.0" }, _host.Records());

        var down = new Dictionary<string, string?>(up) { ["ACTION"] = "down" };
        var d = _host.Ns.Exec(Shim("kvm-ifup-os"), Array.Empty<string>(), down);
        Assert.True(d.Code == 0, d.ToString());
        Assert.DoesNotContain("169.254.9.9 dev gnt.com.0 proto static scope link", string.Join('\n', _host.Ns.Routes()));
        Assert.Empty(_host.Records());
    }

    [HostFact("bash", "ip")]
    public void Sourced_shim_that_fails_ends_its_caller_with_a_non_zero_status()
    {
        _host.AddTap("gnt.com.0");
        var r = SourcedByBash("kvm-ifup-os", GanetiEnv(("INTERFACE", "gnt.com.0"), ("MODE", "routed"), ("IP", "169.254.9.999"), ("MAC", "52:54:00:09:09:09")));
        Assert.True(r.Code == 2, r.ToString());
        Assert.Equal("", r.Out);
        Assert.Contains("169.254.9.999", r.Err);
        Assert.Empty(_host.Records());
    }

    [HostTheory("sh", "ip")]
    [InlineData("kvm-ifup-os", false)]
    [InlineData("xen-ifup-os", true)]
    public void Executed_shim_exits_0_for_a_bridged_nic_and_non_zero_for_a_bad_ip(string shim, bool throughShC)
    {
        _host.AddTap("gnt.com.0");
        ProcResult Run(params (string, string)[] vars) => throughShC
            ? _host.Ns.Exec("/bin/sh", new[] { "-c", Shim(shim) }, GanetiEnv(vars))
            : _host.Ns.Exec(Shim(shim), Array.Empty<string>(), GanetiEnv(vars));

        var bridged = Run(("INTERFACE", "gnt.com.0"), ("MODE", "bridged"), ("IP", "169.254.9.9"), ("MAC", "52:54:00:09:09:09"), ("ACTION", "up"));
        Assert.True(bridged.Code == 0 && bridged.Out == "", bridged.ToString());
        Assert.DoesNotContain("inet ", _host.AddrShow("gnt.com.0"));

        var bad = Run(("INTERFACE", "gnt.com.0"), ("MODE", "routed"), ("IP", "169.254.9.999"), ("MAC", "52:54:00:09:09:09"), ("ACTION", "up"));
        Assert.True(bad.Code == 2, bad.ToString());
        Assert.Contains("gnt-com-ifup: error: IP '169.254.9.999'", bad.Err);
        Assert.Empty(_host.Records());
    }
}
