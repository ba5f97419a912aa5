using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Operators;

/// <summary>
/// `make deb`: the package lintian accepts, installed with dpkg into a root of its own
/// (a minimal dpkg database that knows the host's libc6 and dnsmasq-base, so Depends
/// are really checked), working there, and gone again after a purge.
/// </summary>
public sealed class DebPackageTests
{
    private static string Version =>
        Regex.Match(File.ReadAllText(Repo.Script("Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;

    private static string Dpkg(string root, params string[] args)
    {
        // The minimal root has no shell to chroot into: the maintainer scripts (prerm) run
        // outside it with DPKG_ROOT set, as dpkg's chrootless mode runs them.
        var r = Proc.Run("dpkg", new[] { "--root=" + root, "--force-not-root", "--force-script-chrootless" }.Concat(args), timeoutMs: 120_000);
        if (r.Code != 0) throw new InvalidOperationException("dpkg " + string.Join(' ', args) + " failed: " + r);
        return r.Out + r.Err;
    }

    /// <summary>A dpkg database in <paramref name="root"/> that holds the host's own records of <paramref name="packages"/>.</summary>
    private static void MinimalDpkgDatabase(string root, params string[] packages)
    {
        string db = Path.Combine(root, "var/lib/dpkg");
        foreach (string d in new[] { "info", "updates", "triggers" }) Directory.CreateDirectory(Path.Combine(db, d));
        File.WriteAllText(Path.Combine(db, "available"), "");
        var status = new List<string>();
        foreach (string p in packages)
        {
            status.Add(Proc.Must("dpkg-query", "-s", p).TrimEnd('\n') + "\n");
            File.WriteAllText(Path.Combine(db, "info", p + ".list"), "");
        }
        File.WriteAllText(Path.Combine(db, "status"), string.Join("\n", status));
    }

    [HostFact("make", "dpkg-deb", "dpkg-shlibdeps", "strip", "lintian", "ip")]
    public void Make_deb_builds_a_lintian_clean_package_that_installs_works_and_purges()
    {
        // Build (scripts/deb.sh runs lintian and fails on any error).
        var build = Proc.Run("make", new[] { "-C", Repo.Root, "--no-print-directory", "deb" }, timeoutMs: 600_000);
        Assert.True(build.Code == 0, build.ToString());
        Assert.Contains("lintian: no errors", build.Out);
        Assert.DoesNotMatch(new Regex("^E: ", RegexOptions.Multiline), build.Out + build.Err);

        string deb = Path.Combine(Repo.Root, "out", "gnt-com_" + Version + "_amd64.deb");
        Assert.True(File.Exists(deb), deb + " missing:\n" + build);
        // One version: the package's is the one the executables print.
        Assert.Equal("gnt-com " + Version + "\n", Proc.Run(Repo.Bin("gnt-com"), "--version").Out);
        Assert.Equal(Version, Proc.Must("dpkg-deb", "-f", deb, "Version").Trim());
        string depends = Proc.Must("dpkg-deb", "-f", deb, "Depends").Trim();
        Assert.Matches(@"^libc6 \(>= 2\.\d+\), dnsmasq-base$", depends);
        Assert.Equal("libxenstore4", Proc.Must("dpkg-deb", "-f", deb, "Recommends").Trim());
        Assert.Equal("admin\noptional", Proc.Must("dpkg-deb", "-f", deb, "Section").Trim() + "\n" + Proc.Must("dpkg-deb", "-f", deb, "Priority").Trim());

        string dir = Path.Combine(Path.GetTempPath(), "gct-deb-" + Guid.NewGuid().ToString("N")[..10]);
        string root = Path.Combine(dir, "root");
        using var sandbox = new Sandbox();
        using var ns = new NetNs("deb");
        try
        {
            Directory.CreateDirectory(root);
            MinimalDpkgDatabase(root, "libc6:amd64", "dnsmasq-base");
            Dpkg(root, "--install", deb);

            string P(string path) => Path.Combine(root, path.TrimStart('/'));
            Assert.Equal(new[]
            {
                "/etc/gnt-com/gnt-com.conf",
                "/etc/gnt-com/ifdown.d/20-firewall-example", "/etc/gnt-com/ifdown.d/50-log-example",
                "/etc/gnt-com/ifup.d/20-firewall-example", "/etc/gnt-com/ifup.d/50-log-example",
            }, File.ReadAllLines(P("/var/lib/dpkg/info/gnt-com.conffiles")).Where(l => l != "").ToArray());
            foreach (string hook in Directory.GetFiles(P("/etc/gnt-com/ifup.d")).Concat(Directory.GetFiles(P("/etc/gnt-com/ifdown.d"))))
                Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(hook));
            Assert.Equal("/usr/lib/gnt-com/vif-gnt-com", new FileInfo(P("/etc/xen/scripts/vif-gnt-com")).LinkTarget);
            Assert.Equal("../lib/gnt-com/gnt-com-ifup", new FileInfo(P("/usr/sbin/gnt-com-ifup")).LinkTarget);
            Assert.Equal("gnt-com-ifup.8.gz", new FileInfo(P("/usr/share/man/man8/gnt-com-ifdown.8.gz")).LinkTarget);
            foreach (string f in new[] { "/usr/lib/gnt-com/libMono.Unix.so", "/usr/share/man/man5/gnt-com.conf.5.gz",
                         "/usr/share/man/man8/gnt-com.8.gz", "/usr/share/man/man8/vif-gnt-com.8.gz",
                         "/usr/share/bash-completion/completions/gnt-com",
                         "/usr/share/doc/gnt-com/copyright", "/usr/share/doc/gnt-com/changelog.gz" })
                Assert.True(File.Exists(P(f)), f);
            Assert.Contains("RUN+=\"/usr/lib/gnt-com/gnt-com forget $env{INTERFACE} $env{IFINDEX}\"",
                File.ReadAllText(P("/usr/lib/udev/rules.d/60-gnt-com.rules")));
            Assert.StartsWith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n",
                File.ReadAllText(P("/usr/share/doc/gnt-com/copyright")));
            Assert.StartsWith("gnt-com (" + Version + ") ", Proc.Must("/bin/sh", "-c", "zcat " + P("/usr/share/doc/gnt-com/changelog.gz")));

            // The installed executables run from there (through the /usr/sbin links), state sandboxed.
            var status = ns.Exec(P("/usr/sbin/gnt-com"), new[] { "status", "--config", sandbox.ConfigPath }, null);
            Assert.True(status.Code == 0, status.ToString());
            Assert.Contains("config: " + sandbox.ConfigPath + "\n", status.Out);
            Assert.Contains("channels: none\n", status.Out);

            // remove keeps the conffiles (and the admin's own hook); purge removes the package's files.
            string mine = P("/etc/gnt-com/ifup.d/90-mine");
            File.WriteAllText(mine, "#!/bin/sh\n");
            Dpkg(root, "--remove", "gnt-com");
            Assert.False(File.Exists(P("/usr/lib/gnt-com/gnt-com")));
            Assert.True(File.Exists(P("/etc/gnt-com/gnt-com.conf")));
            Dpkg(root, "--purge", "gnt-com");
            var left = Installation.Listing(root).Where(e => !e.StartsWith("var/lib/dpkg", StringComparison.Ordinal)).ToList();
            // Policy keeps what is not the package's: the admin's hook, and so its directories.
            Assert.Equal(new[] { "etc d", "etc/gnt-com d", "etc/gnt-com/ifup.d d", "etc/gnt-com/ifup.d/90-mine f 0644", "var d", "var/lib d" }, left);
            Assert.DoesNotContain("gnt-com", Proc.Must("dpkg-query", "--admindir=" + P("/var/lib/dpkg"), "-W", "-f", "${Package} ${Status}\n"));
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
