using System;
using System.IO;
using System.Linq;
using GntCom.Config;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Operators;

/// <summary>`make install` / `make uninstall`: the layout an operator gets, with PREFIX, SYSCONFDIR and DESTDIR.</summary>
public sealed class InstallTests
{
    private static readonly string[] Exes = { "gnt-com", "gnt-com-ifdown", "gnt-com-ifup", "vif-gnt-com" };

    [HostFact("make", "install")]
    public void Install_lays_out_binaries_links_udev_rule_pages_completion_config_and_hooks()
    {
        using var inst = new Installation();
        var expected = new[]
        {
            "etc d", "etc/gnt-com d", "etc/gnt-com/gnt-com.conf f 0644",
            "etc/gnt-com/ifdown.d d", "etc/gnt-com/ifdown.d/20-firewall-example f 0644", "etc/gnt-com/ifdown.d/50-log-example f 0644",
            "etc/gnt-com/ifup.d d", "etc/gnt-com/ifup.d/20-firewall-example f 0644", "etc/gnt-com/ifup.d/50-log-example f 0644",
            "etc/udev d", "etc/udev/rules.d d", "etc/udev/rules.d/60-gnt-com.rules f 0644",
            "lib d", "lib/gnt-com d", "lib/gnt-com/libMono.Unix.so f 0644",
            "sbin d",
            "share d", "share/bash-completion d", "share/bash-completion/completions d",
            "share/bash-completion/completions/gnt-com f 0644",
            "share/man d", "share/man/man5 d", "share/man/man5/gnt-com.conf.5 f 0644", "share/man/man8 d",
            "share/man/man8/gnt-com-ifdown.8 l gnt-com-ifup.8", "share/man/man8/gnt-com-ifup.8 f 0644",
            "share/man/man8/gnt-com.8 f 0644", "share/man/man8/vif-gnt-com.8 f 0644",
        }.Concat(Exes.Select(e => "lib/gnt-com/" + e + " f 0755"))
         .Concat(Exes.Select(e => "sbin/" + e + " l ../lib/gnt-com/" + e))
         .OrderBy(s => s, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, Installation.Listing(inst.Dir));

        // The installed files are the repository's, the executables the ones in out/.
        foreach (string e in Exes)
            Assert.Equal(File.ReadAllBytes(Repo.Bin(e)), File.ReadAllBytes(Path.Combine(inst.Dir, "lib/gnt-com", e)));
        var version = Proc.Run(Path.Combine(inst.Dir, "sbin/gnt-com"), "--version");
        Assert.Equal(Proc.Run(Repo.Bin("gnt-com"), "--version").Out, version.Out);
    }

    [HostFact("make", "install")]
    public void Installed_config_is_the_example_with_every_setting_commented_and_hooks_dir_where_the_hooks_went()
    {
        using var inst = new Installation();
        string example = File.ReadAllText(Repo.Script("scripts/gnt-com.conf.example"));
        string hooksDir = Path.Combine(inst.SysConfDir, "gnt-com");
        // SYSCONFDIR is not /etc here, so hooks_dir is set to where the hooks were installed.
        Assert.Equal(example.Replace("#hooks_dir = /etc/gnt-com\n", "hooks_dir = " + hooksDir + "\n"), File.ReadAllText(inst.Config));
        foreach (string key in GntComConfig.Keys.Where(k => k != "hooks_dir"))
            Assert.Contains("\n#" + key + " = ", example);
        var cfg = GntComConfig.Load(inst.Config);
        Assert.Equal(hooksDir, cfg.HooksDir);
        Assert.Equal("/run/gnt-com", cfg.StateDir);
    }

    [HostTheory("make", "install")]
    [InlineData("/opt/gc", "/etc/gc", "/etc/gc/udev/rules.d", "/opt/gc/lib/gnt-com/gnt-com --config /etc/gc/gnt-com/gnt-com.conf")]
    [InlineData("/usr", "/etc", "/lib/udev/rules.d", "/usr/lib/gnt-com/gnt-com")]
    public void Udev_rule_names_the_final_paths_without_destdir(string prefix, string sysconfdir, string rulesDir, string command)
    {
        using var staged = new Installation(prefix: prefix, sysconfdir: sysconfdir, destdir: Path.Combine(Path.GetTempPath(), "gct-stage-" + Guid.NewGuid().ToString("N")[..8]));
        try
        {
            string[] rules = File.ReadAllLines(staged.OnDisk(rulesDir + "/60-gnt-com.rules")).Where(l => !l.StartsWith('#') && l.Trim() != "").ToArray();
            Assert.Equal(new[]
            {
                "ACTION==\"remove\", SUBSYSTEM==\"net\", KERNEL==\"gnt.com.*\", RUN+=\"" + command + " forget $env{INTERFACE} $env{IFINDEX}\"",
                "ACTION==\"add\", SUBSYSTEM==\"net\", KERNEL==\"gnt.com.*\", RUN+=\"" + command + " arrived $env{INTERFACE} $env{IFINDEX}\"",
            }, rules);
            Assert.Equal("../lib/gnt-com/gnt-com", new FileInfo(staged.OnDisk(prefix + "/sbin/gnt-com")).LinkTarget);
            Assert.True(File.Exists(staged.OnDisk(sysconfdir + "/gnt-com/gnt-com.conf")));
        }
        finally
        {
            Directory.Delete(staged.DestDir!, recursive: true);
        }
    }

    [HostFact("make", "install")]
    public void Xen_link_is_made_when_xen_scripts_exist_and_uninstall_removes_only_what_install_added()
    {
        using var inst = new Installation(before: dir => Directory.CreateDirectory(Path.Combine(dir, "etc/xen/scripts")));
        string link = Path.Combine(inst.Dir, "etc/xen/scripts/vif-gnt-com");
        Assert.Equal(Path.Combine(inst.Dir, "lib/gnt-com/vif-gnt-com"), new FileInfo(link).LinkTarget);

        // The admin's changes survive a reinstall and an uninstall.
        File.AppendAllText(inst.Config, "hook_timeout = 7\n");
        string mine = Path.Combine(inst.Dir, "etc/gnt-com/ifup.d/90-mine");
        File.WriteAllText(mine, "#!/bin/sh\n");
        inst.Make("install");
        Assert.EndsWith("hook_timeout = 7\n", File.ReadAllText(inst.Config));

        inst.Make("uninstall");
        var left = Installation.Listing(inst.Dir).Where(e => !e.EndsWith(" d", StringComparison.Ordinal)).ToList();
        Assert.Equal(new[]
        {
            "etc/gnt-com/gnt-com.conf f 0644",
            "etc/gnt-com/ifdown.d/20-firewall-example f 0644", "etc/gnt-com/ifdown.d/50-log-example f 0644",
            "etc/gnt-com/ifup.d/20-firewall-example f 0644", "etc/gnt-com/ifup.d/50-log-example f 0644",
            "etc/gnt-com/ifup.d/90-mine f 0644",
        }, left);
        Assert.False(Directory.Exists(Path.Combine(inst.Dir, "lib/gnt-com")));
        Assert.False(Directory.Exists(Path.Combine(inst.Dir, "share/gnt-com")));
        Assert.True(Directory.Exists(Path.Combine(inst.Dir, "etc/xen/scripts")));
    }
}
