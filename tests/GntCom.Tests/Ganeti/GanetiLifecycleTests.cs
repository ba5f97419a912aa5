using System;
using System.IO;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// What the package's maintainer scripts and an admin ask of gnt-com over a node's life:
/// the migration hooks `ganeti enable` installs (and check, refresh, disable), the quiet
/// forms the scripts use where there is nothing to do, and `down --all`, which takes GntCom
/// off a node.
/// </summary>
public sealed class GanetiLifecycleTests
{
    private const string Dnsmasq = "/usr/sbin/dnsmasq";

    private static string Hook(GanetiSite site, string phase) =>
        Path.Combine(site.ConfDir, "hooks", "instance-migrate-" + phase + ".d", "gnt-com");

    [HostFact("bash", "ip")]
    public void Enable_installs_the_migration_hooks_check_misses_them_refresh_puts_them_back_disable_removes_them()
    {
        using var site = new GanetiSite();
        using var node = site.Node();
        string gntCom = Path.Combine(site.Install.Prefix, "lib/gnt-com/gnt-com");
        foreach (string phase in new[] { "pre", "post" })
        {
            string hook = Hook(site, phase);
            Assert.True(File.Exists(hook), hook + " was not installed");
            Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(hook));
            Assert.EndsWith("\nexec " + gntCom + " --config " + site.ConfigPath + " ganeti hook\n", File.ReadAllText(hook));
        }
        Assert.Equal(0, node.Admin("check").Code);

        // A node enabled by GntCom 0.3 had no hooks: check says so, refresh (the package's
        // postinst) puts them there, and nothing else changes.
        File.Delete(Hook(site, "pre"));
        var check = node.Admin("check");
        Assert.Equal(1, check.Code);
        Assert.Contains("ganeti: " + Hook(site, "pre") + " is missing: a live-migrated Xen instance gets no channel on its new node", check.Out);
        var refresh = node.Admin("ganeti", "refresh", "--quiet");
        Assert.True(refresh.Code == 0, refresh.ToString());
        Assert.Equal("install GntCom's Ganeti hook " + Hook(site, "pre") + " (runs " + gntCom + " ganeti hook)\n", refresh.Out);
        Assert.Equal(0, node.Admin("check").Code);
        Assert.Equal("", node.Admin("ganeti", "refresh", "--quiet").Out);

        // An admin's own hook of that name is left alone, and said so.
        File.WriteAllText(Hook(site, "post"), "#!/bin/sh\nexit 0\n");
        Assert.Contains(Hook(site, "post") + " is not GntCom's hook: left as it is", node.Admin("ganeti", "enable").Out);
        File.Delete(Hook(site, "post"));

        var disable = node.Admin("ganeti", "disable");
        Assert.True(disable.Code == 0, disable.ToString());
        Assert.Contains("remove GntCom's Ganeti hook " + Hook(site, "pre") + "\n", disable.Out);
        Assert.False(File.Exists(Hook(site, "pre")), "disable left the hook");
        Assert.True(Directory.Exists(Path.GetDirectoryName(Hook(site, "pre"))), "disable removed Ganeti's hooks directory");
        Assert.Equal(0, node.Admin("check").Code);
    }

    [HostFact("bash", "ip")]
    public void The_quiet_forms_print_nothing_and_succeed_where_gntcom_is_not_enabled()
    {
        using var site = new GanetiSite(enable: false);
        using var node = site.Node();
        foreach (string action in new[] { "disable", "refresh" })
        {
            var r = node.Admin("ganeti", action, "--quiet");
            Assert.True(r.Code == 0 && r.Out == "" && r.Err == "", action + ": " + r);
        }
        Assert.False(Directory.Exists(Path.Combine(site.ConfDir, "hooks")), "a quiet verb wrote into CONF_DIR");
        var refresh = node.Admin("ganeti", "refresh");
        Assert.Equal(0, refresh.Code);
        Assert.Contains("nothing to do: GntCom is not enabled for Ganeti here", refresh.Out);

        // No Ganeti at all: the quiet disable of the package's prerm is still nothing.
        Directory.Delete(site.ConfDir, recursive: true);
        var gone = node.Admin("ganeti", "disable", "--quiet");
        Assert.True(gone.Code == 0 && gone.Out == "" && gone.Err == "", gone.ToString());
        Assert.Equal(1, node.Admin("ganeti", "disable").Code);
    }

    [HostFact("bash", "ip", Dnsmasq)]
    public void Down_all_takes_gntcom_off_the_node_and_is_refused_while_ganeti_runs_its_shims()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n");
        string downFile = Path.Combine(site.Sandbox.Dir, "down-saw");
        site.Sandbox.Hook("ifdown.d", "50-down", "echo \"$INTERFACE $IP\" >> '" + downFile + "'");
        using var node = site.Node();
        var vm1 = new Nic("da1.example.org", "169.254.44.1", "52:54:00:44:00:01");
        var vm2 = new Nic("da2.example.org", "169.254.44.2", "52:54:00:44:00:02");
        string tap1 = node.OpenTap();
        Assert.Equal(0, node.KvmIfup(tap1, vm1).Code);
        string tap2 = node.OpenTap();
        Assert.Equal(0, node.KvmIfup(tap2, vm2).Code);
        Assert.Equal(0, node.Admin("allocate", "--ip", "169.254.44.3", "--mac", "52:54:00:44:00:03").Code);

        var refused = node.Admin("down", "--all");
        Assert.Equal(1, refused.Code);
        Assert.Contains("GntCom is enabled for Ganeti in " + site.ConfDir + ": run 'gnt-com ganeti disable' first", refused.Err);
        node.AssertChannel(tap1, vm1);

        // One channel by name, as the admin's down.
        var one = node.Admin("down", tap2);
        Assert.True(one.Code == 0, one.ToString());
        Assert.Equal("down " + tap2 + "\n", one.Out);
        Assert.DoesNotContain("inet ", node.Addresses(tap2));
        Assert.DoesNotContain(tap2, node.Records());

        // The package's prerm: Ganeti's scripts back (the live channel handed over), then the rest.
        Assert.Equal(0, node.Admin("ganeti", "disable", "--quiet").Code);
        string tap3 = node.OpenTap();
        // qemu's script= up of the guest whose name was reserved.
        var qemuUp = node.Ns.Exec("env", "IP=169.254.44.3", "MAC=52:54:00:44:00:03", site.GntComIfup, "--config", site.ConfigPath, tap3);
        Assert.True(qemuUp.Code == 0, qemuUp.ToString());
        var all = node.Admin("down", "--all");
        Assert.True(all.Code == 0, all.ToString());
        Assert.Contains("down: 1 channel(s); nothing of GntCom is left on this node", all.Out);
        Assert.Equal(tap2 + " 169.254.44.2\n" + tap3 + " 169.254.44.3\n", File.ReadAllText(downFile));
        node.AssertNothingConfigured(tap3);
        Assert.Empty(node.IsolationRules());
        Assert.Equal(0, node.DnsmasqPid());
        Assert.False(Directory.Exists(node.StateRoot), "the state directory is left: " + node.StateRoot);
        // Twice is once: there is nothing left to take down.
        var again = node.Admin("down", "--all");
        Assert.True(again.Code == 0, again.ToString());
        Assert.False(Directory.Exists(node.StateRoot), "down --all made a state directory");
    }
}
