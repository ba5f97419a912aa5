using System;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// `gnt-com ganeti enable|disable` against an emulated /etc/ganeti holding the ganeti
/// package's kvm-ifup-os and xen-ifup-os as regular files (conffiles), with Ganeti's
/// callers emulated: the one step that switches a node to GntCom, and back byte for byte.
/// </summary>
public sealed class GanetiEnableTests
{
    private const string Dnsmasq = "/usr/sbin/dnsmasq";

    private static ulong Inode(string path) => ulong.Parse(Proc.Must("stat", "-c", "%i", path).Trim());

    private static void AssertPackageFiles(string confDir)
    {
        foreach (string name in GanetiPackage.ConfFiles)
        {
            string path = Path.Combine(confDir, name);
            Assert.Equal(GanetiPackage.Content(name), File.ReadAllBytes(path));
            Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(path));
            Assert.False(File.Exists(path + ".gnt-com-orig"), path + ".gnt-com-orig is left");
        }
    }

    [HostFact("bash", "ip")]
    public void Enable_puts_the_shims_in_place_keeping_ganetis_files_and_disable_puts_them_back_byte_for_byte()
    {
        using var site = new GanetiSite(enable: false);
        using var node = site.Node();
        string kvm = Path.Combine(site.ConfDir, "kvm-ifup-os"), xen = Path.Combine(site.ConfDir, "xen-ifup-os");
        ulong kvmInode = Inode(kvm), xenInode = Inode(xen);

        // --dry-run says what it would do and changes nothing.
        var dry = node.Admin("ganeti", "enable", "--dry-run");
        Assert.True(dry.Code == 0, dry.ToString());
        Assert.Contains("would keep Ganeti's " + kvm + " as " + kvm + ".gnt-com-orig\n", dry.Out);
        Assert.Contains("would install GntCom's shim as " + xen + " (runs " + Path.Combine(site.Install.Prefix, "lib/gnt-com/gnt-com-ifup") + ")\n", dry.Out);
        AssertPackageFiles(site.ConfDir);

        var enable = node.Admin("ganeti", "enable");
        Assert.True(enable.Code == 0, enable.ToString());
        Assert.Contains("done: Ganeti's channel NICs are GntCom's", enable.Out);
        foreach (string name in GanetiPackage.ConfFiles)
        {
            string path = Path.Combine(site.ConfDir, name);
            Assert.StartsWith("#!/bin/sh\n# GntCom's shim for Ganeti's " + name + ", put here by `gnt-com ganeti enable`", File.ReadAllText(path));
            Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(path));
            Assert.Equal(GanetiPackage.Content(name), File.ReadAllBytes(path + ".gnt-com-orig"));
        }
        // Ganeti's own files are kept as they were: the very same files.
        Assert.Equal(kvmInode, Inode(kvm + ".gnt-com-orig"));
        Assert.Equal(xenInode, Inode(xen + ".gnt-com-orig"));

        // Ganeti 3.1's kvm-ifup sources the shim: the channel comes up through GntCom, and
        // Ganeti's own script does not run.
        var vm = new Nic("vm1.example.org", "169.254.20.1", "52:54:00:20:00:01");
        string tap = node.OpenTap();
        var up = node.KvmIfup(tap, vm);
        Assert.True(up.Code == 0, up.ToString());
        Assert.DoesNotContain("Ganeti's own", up.Err);
        node.AssertChannel(tap, vm);
        var check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());

        // Twice is once.
        var again = node.Admin("ganeti", "enable");
        Assert.True(again.Code == 0, again.ToString());
        Assert.Contains(kvm + ": GntCom's shim already\n", again.Out);
        Assert.Contains("nothing to do: GntCom is enabled for Ganeti here\n", again.Out);
        Assert.Equal(kvmInode, Inode(kvm + ".gnt-com-orig"));

        // disable: Ganeti's files back, the running guest handed to Ganeti's scripts.
        var disable = node.Admin("ganeti", "disable");
        Assert.True(disable.Code == 0, disable.ToString());
        Assert.Contains("put Ganeti's " + kvm + " back (from " + kvm + ".gnt-com-orig)\n", disable.Out);
        Assert.Contains("hand " + tap + " ip=169.254.20.1 mac=52:54:00:20:00:01", disable.Out);
        AssertPackageFiles(site.ConfDir);
        Assert.Equal(kvmInode, Inode(kvm));
        Assert.Equal(xenInode, Inode(xen));
        Assert.Empty(node.Records());
        Assert.Empty(node.IsolationRules());
        // The guest keeps its channel as Ganeti's scripts keep one: up, addressed, routed; it
        // is theirs now, and check has nothing to say about it.
        Assert.Contains("inet 169.254.169.254/32", node.Addresses(tap));
        Assert.Contains("169.254.20.1 dev " + tap + " proto static scope link", node.RoutesText);
        check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());

        var twice = node.Admin("ganeti", "disable");
        Assert.True(twice.Code == 0, twice.ToString());
        Assert.Contains("nothing to do: GntCom is disabled for Ganeti here", twice.Out);
        AssertPackageFiles(site.ConfDir);
    }

    [HostFact("bash", "ip")]
    public void A_ganeti_upgrade_that_installs_its_own_file_is_reported_by_check_and_enable_takes_the_new_one_as_ganetis()
    {
        using var site = new GanetiSite();
        using var node = site.Node();
        string kvm = Path.Combine(site.ConfDir, "kvm-ifup-os");
        var check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());

        // dpkg asked about the changed conffile and the admin took the package's version (Y):
        // dpkg keeps the shim as .dpkg-old and installs Ganeti's new file.
        File.Move(kvm, kvm + ".dpkg-old");
        byte[] v2 = "#!/bin/bash\n# ganeti 3.0.3's kvm-ifup-os (stand-in)\necho \"Ganeti's own kvm-ifup-os 3.0.3 ran\" >&2\n"u8.ToArray();
        File.WriteAllBytes(kvm, v2);
        File.SetUnixFileMode(kvm, (UnixFileMode)0b111_101_101);

        // The node does not break (Ganeti's script runs), and GntCom is not dropped silently.
        var vm = new Nic("vm2.example.org", "169.254.20.2", "52:54:00:20:00:02");
        string tap = node.OpenTap();
        var up = node.KvmIfup(tap, vm);
        Assert.True(up.Code == 0, up.ToString());
        Assert.Contains("Ganeti's own kvm-ifup-os 3.0.3 ran", up.Err);
        check = node.Admin("check");
        Assert.Equal(1, check.Code);
        Assert.Contains("ganeti: " + kvm + " is no longer GntCom's shim (a ganeti upgrade may have installed its own):"
            + " Ganeti's script runs its own dnsmasq beside GntCom's; run 'gnt-com ganeti enable' again\n", check.Out);

        // enable again: the new version is now the one kept as Ganeti's.
        var enable = node.Admin("ganeti", "enable");
        Assert.True(enable.Code == 0, enable.ToString());
        Assert.Equal(v2, File.ReadAllBytes(kvm + ".gnt-com-orig"));
        check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());
        var disable = node.Admin("ganeti", "disable");
        Assert.True(disable.Code == 0, disable.ToString());
        Assert.Equal(v2, File.ReadAllBytes(kvm));
        Assert.Equal(GanetiPackage.Content("xen-ifup-os"), File.ReadAllBytes(Path.Combine(site.ConfDir, "xen-ifup-os")));
    }

    [HostFact("bash", "ip", "busybox", Dnsmasq)]
    public void Enable_adopts_what_ganetis_own_scripts_set_up_and_disable_hands_the_guest_back_to_ganetis_dnsmasq()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n", enable: false);
        using var node = site.Node();
        var own = new GanetiOwnIfupOs(node, Path.Combine(site.Sandbox.Dir, "ganeti-run"));
        var vm = new Nic("vm3.example.org", "169.254.20.3", "52:54:00:20:00:03");
        using var guest = new GuestVm(node, node.GenerateTapName(), vm.Mac);
        own.Up(guest.HostEnd, vm);
        Assert.Equal(vm.Ip, guest.Dhcp()?["ip"]);
        Assert.NotEqual(0, own.DnsmasqPid());

        var enable = node.Admin("ganeti", "enable", "--ganeti-run-dir", own.RunDir);
        Assert.True(enable.Code == 0, enable.ToString());
        Assert.Contains("adopt " + guest.HostEnd + ": ip=169.254.20.3 mac=52:54:00:20:00:03 (vif)\n", enable.Out);
        Assert.Contains("stop Ganeti's dnsmasq (pid ", enable.Out);
        Assert.Equal(0, own.DnsmasqPid());
        Assert.NotEqual(0, node.DnsmasqPid());
        Assert.Contains("ip=169.254.20.3", node.Record(guest.HostEnd));
        var check = node.Admin("check");
        Assert.True(check.Code == 0, check.ToString());
        Assert.Equal(vm.Ip, guest.Dhcp(vm.Ip)?["ip"]);

        var disable = node.Admin("ganeti", "disable", "--ganeti-run-dir", own.RunDir);
        Assert.True(disable.Code == 0, disable.ToString());
        Assert.Contains("add 1 guest lease(s) to " + own.HostsPath + "\n", disable.Out);
        Assert.Contains("leave Ganeti's dnsmasq to Ganeti's scripts (they start it at the next instance start)\n", disable.Out);
        AssertPackageFiles(site.ConfDir);
        Assert.Equal(0, node.DnsmasqPid());
        Assert.Empty(node.Records());
        Assert.Contains("52:54:00:20:00:03,169.254.20.3", File.ReadAllLines(own.HostsPath));
        Assert.Contains("169.254.20.3 dev " + guest.HostEnd, node.RoutesText);
        // The next instance start runs Ganeti's own script, which starts its dnsmasq: it
        // serves the guest that GntCom handed back too.
        var next = new Nic("vm5.example.org", "169.254.20.5", "52:54:00:20:00:05");
        using var second = new GuestVm(node, node.GenerateTapName(), next.Mac);
        own.Up(second.HostEnd, next);
        Assert.NotEqual(0, own.DnsmasqPid());
        Assert.Equal(vm.Ip, guest.Dhcp(vm.Ip)?["ip"]);
        Assert.Equal(next.Ip, second.Dhcp()?["ip"]);
    }

    [HostFact("bash", "ip", Dnsmasq)]
    public void When_a_channel_cannot_be_adopted_enable_fails_naming_it_and_the_node_stays_ganetis()
    {
        using var site = new GanetiSite("dhcp = dnsmasq\n", enable: false);
        using var node = site.Node();
        var own = new GanetiOwnIfupOs(node, Path.Combine(site.Sandbox.Dir, "ganeti-run"));
        var ok = new Nic("vm6.example.org", "169.254.20.6", "52:54:00:20:00:06");
        var vm = new Nic("vm4.example.org", "169.254.20.4", "52:54:00:20:00:04");
        string first = node.OpenTap();
        own.Up(first, ok);
        string tap = node.OpenTap();
        own.Up(tap, vm);
        int ganetiDnsmasq = own.DnsmasqPid();
        string downs = Path.Combine(site.Sandbox.Dir, "downs");
        site.Sandbox.Hook("ifup.d", "10-refuse", "[ \"$INTERFACE\" = " + tap + " ] || exit 0; echo \"refusing $INTERFACE\" >&2; exit 3");
        site.Sandbox.Hook("ifdown.d", "10-log", "echo \"$INTERFACE\" >> " + downs);

        var enable = node.Admin("ganeti", "enable", "--ganeti-run-dir", own.RunDir);
        Assert.Equal(1, enable.Code);
        Assert.Contains("gnt-com: error: could not adopt " + tap + ": hook ", enable.Err);
        Assert.Contains("Ganeti's scripts and dnsmasq were left in place", enable.Err);
        AssertPackageFiles(site.ConfDir);
        Assert.Equal(ganetiDnsmasq, own.DnsmasqPid());
        // The failed one rolled back (its ifup hooks undone), the one adopted before it
        // handed back (its ifup hooks undone too), whole: as Ganeti's scripts left them.
        Assert.Empty(node.Records());
        Assert.Empty(node.IsolationRules());
        Assert.Equal(tap + "\n" + first + "\n", File.ReadAllText(downs));
        Assert.Contains("169.254.20.6 dev " + first, node.RoutesText);
        Assert.Contains("inet 169.254.169.254/32", node.Addresses(first));
    }

    [HostFact("bash", "ip")]
    public void A_gntcom_0_2_link_is_taken_for_an_older_shim_and_a_ganeti_upgrades_dpkg_dist_wins_on_disable()
    {
        using var site = new GanetiSite(enable: false);
        using var node = site.Node();
        // GntCom 0.2's documented wiring: kvm-ifup-os a link to its share/ shim (Ganeti's file gone).
        string share = Path.Combine(site.Install.Dir, "share", "gnt-com", "ganeti");
        Directory.CreateDirectory(share);
        string old = Path.Combine(share, "kvm-ifup-os");
        File.WriteAllText(old, "#!/bin/sh\n# GntCom's kvm-ifup-os for Ganeti: link it as /etc/ganeti/kvm-ifup-os.\n"
            + "/usr/local/lib/gnt-com/gnt-com-ifup --config /etc/gnt-com/gnt-com.conf || exit\nreturn 0 2>/dev/null || exit 0\n");
        string kvm = Path.Combine(site.ConfDir, "kvm-ifup-os"), xen = Path.Combine(site.ConfDir, "xen-ifup-os");
        File.Delete(kvm);
        File.CreateSymbolicLink(kvm, old);
        var check = node.Admin("check");
        Assert.Contains("ganeti: " + kvm + " is a GntCom shim for another installation or config", check.Out);

        var enable = node.Admin("ganeti", "enable");
        Assert.True(enable.Code == 0, enable.ToString());
        Assert.Contains("update GntCom's shim " + kvm, enable.Out);
        Assert.False(File.Exists(kvm + ".gnt-com-orig"), "a 0.2 link is no file of Ganeti's to keep");
        Assert.Null(new FileInfo(kvm).LinkTarget);
        Assert.Equal(0, node.Admin("check").Code);

        // A ganeti upgrade brought a new xen-ifup-os and the admin kept the shim (N): dpkg left
        // Ganeti's new file as .dpkg-dist, and that is what disable puts back.
        byte[] v2 = "#!/bin/bash\n# ganeti 3.0.3's xen-ifup-os (stand-in)\n"u8.ToArray();
        File.WriteAllBytes(xen + ".dpkg-dist", v2);
        var disable = node.Admin("ganeti", "disable");
        Assert.True(disable.Code == 0, disable.ToString());
        Assert.Contains("put Ganeti's " + xen + " back (from " + xen + ".dpkg-dist)", disable.Out);
        Assert.Equal(v2, File.ReadAllBytes(xen));
        Assert.False(File.Exists(xen + ".gnt-com-orig"));
        Assert.False(File.Exists(xen + ".dpkg-dist"));
        // The copy enable kept is older than the upgrade's: set aside, never deleted.
        Assert.Equal(GanetiPackage.Content("xen-ifup-os"), File.ReadAllBytes(xen + ".gnt-com-old"));
        // No Ganeti file was kept for kvm-ifup-os (and this host has no /usr/lib/ganeti copy): the shim goes.
        Assert.Contains("remove GntCom's shim " + kvm, disable.Out);
        Assert.False(File.Exists(kvm));
    }

    [HostFact("bash", "ip")]
    public void Ganetis_kept_copy_survives_what_admins_and_killed_runs_leave_in_etc_ganeti()
    {
        using var site = new GanetiSite();
        using var node = site.Node();
        string kvm = Path.Combine(site.ConfDir, "kvm-ifup-os"), xen = Path.Combine(site.ConfDir, "xen-ifup-os");
        byte[] ganetis = GanetiPackage.Content("kvm-ifup-os");

        // The admin puts Ganeti's back by hand as a link to the kept copy, then enables again:
        // the link is no new file of Ganeti's, the kept copy keeps its bytes.
        File.Delete(kvm);
        File.CreateSymbolicLink(kvm, "kvm-ifup-os.gnt-com-orig");
        var enable = node.Admin("ganeti", "enable");
        Assert.True(enable.Code == 0, enable.ToString());
        Assert.Contains(kvm + " is Ganeti's copy kept as " + kvm + ".gnt-com-orig already", enable.Out);
        Assert.Equal(ganetis, File.ReadAllBytes(kvm + ".gnt-com-orig"));
        Assert.Null(new FileInfo(kvm + ".gnt-com-orig").LinkTarget);

        // A kill between keeping the copy and writing the shim leaves NAME and the copy one
        // file: enable finishes, with no temporary name left; a killed run's temporary files go.
        File.Delete(xen);
        Proc.Must("ln", xen + ".gnt-com-orig", xen);
        File.WriteAllText(xen + ".tmp-99999", "");
        enable = node.Admin("ganeti", "enable");
        Assert.True(enable.Code == 0, enable.ToString());
        Assert.Equal(new[] { "kvm-ifup-os", "kvm-ifup-os.gnt-com-orig", "xen-ifup-os", "xen-ifup-os.gnt-com-orig" },
            Directory.GetFiles(site.ConfDir).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray());

        // A huge file where a script should be is nobody's shim (and costs no memory to tell).
        string huge = Path.Combine(site.ConfDir, "xen-ifup-os.huge");
        Proc.Must("truncate", "-s", "2500M", huge);
        File.Move(xen, xen + ".shim");
        File.Move(huge, xen);
        var check = node.Admin("check");
        Assert.Equal(1, check.Code);
        Assert.Contains("ganeti: " + xen + " is no longer GntCom's shim", check.Out);
        File.Delete(xen);
        File.Move(xen + ".shim", xen);

        // A bad --ganeti-run-dir changes nothing.
        var bad = node.Admin("ganeti", "disable", "--ganeti-run-dir", "relative/dir");
        Assert.Equal(2, bad.Code);
        Assert.Contains("--ganeti-run-dir 'relative/dir' must be an absolute path", bad.Err);
        Assert.StartsWith("#!/bin/sh\n# GntCom's shim", File.ReadAllText(kvm));

        var disable = node.Admin("ganeti", "disable");
        Assert.True(disable.Code == 0, disable.ToString());
        AssertPackageFiles(site.ConfDir);

        // The same kill, then disable instead: Ganeti's file is in place, its second name goes
        // (nothing set aside as .gnt-com-old, which would be a copy of the very same file).
        Proc.Must("ln", xen, xen + ".gnt-com-orig");
        disable = node.Admin("ganeti", "disable");
        Assert.True(disable.Code == 0, disable.ToString());
        Assert.Contains("drop " + xen + ".gnt-com-orig, a second name of Ganeti's " + xen, disable.Out);
        AssertPackageFiles(site.ConfDir);
        Assert.False(File.Exists(xen + ".gnt-com-old"), xen + ".gnt-com-old is left");
    }

    [HostFact("bash", "ip")]
    public void Enables_and_disables_in_every_namespace_at_once_never_lose_ganetis_files()
    {
        using var site = new GanetiSite(enable: false);
        using var a = site.Node("a");
        using var b = site.Node("b");
        for (int round = 0; round < 6; round++)
        {
            var calls = new[] { (a, "enable"), (b, "disable"), (a, "disable"), (b, "enable"), (a, "enable"), (b, "enable") }
                .Select(c => System.Threading.Tasks.Task.Run(() => c.Item1.Admin("ganeti", round % 2 == 0 ? c.Item2 : (c.Item2 == "enable" ? "disable" : "enable"))))
                .ToArray();
            foreach (var t in calls) Assert.True(t.Result.Code == 0, t.Result.ToString());
        }
        Assert.Equal(0, a.Admin("ganeti", "disable").Code);
        AssertPackageFiles(site.ConfDir);
    }

    [HostFact("ip")]
    public void Enable_on_a_node_without_ganeti_fails_with_one_line_and_changes_nothing()
    {
        using var site = new GanetiSite(enable: false);
        using var node = site.Node();
        Directory.Delete(site.ConfDir, recursive: true);
        var r = node.Admin("ganeti", "enable");
        Assert.Equal(1, r.Code);
        Assert.Equal("gnt-com: error: ganeti_dir " + site.ConfDir + " does not exist: is Ganeti installed here? (apt-get install ganeti)\n", r.Err);
        Assert.False(Directory.Exists(site.ConfDir));
        Assert.False(Directory.Exists(site.Sandbox.StateDir), "a node without Ganeti got GntCom state");

        var bad = node.Admin("ganeti", "frob");
        Assert.Equal(2, bad.Code);
        Assert.Equal("gnt-com: error: ganeti action 'frob' must be enable, disable, refresh or hook\n", bad.Err);
    }
}
