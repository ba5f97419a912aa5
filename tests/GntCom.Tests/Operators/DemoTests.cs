using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Operators;

/// <summary>README's first set-up command: `make demo` shows both hypervisors working and leaves the host as it was.</summary>
public sealed class DemoTests
{
    [HostFact("qemu-system-x86_64", "busybox", "xenstore-write", "/usr/sbin/dnsmasq")]
    public void Make_demo_shows_a_kvm_and_a_xen_guest_leasing_and_fetching_and_leaves_nothing_behind()
    {
        string[] NamespacesBefore() => Proc.Run("ip", "netns", "list").Out.Split('\n').Where(l => l.StartsWith("gcdemo")).ToArray();
        Assert.Empty(NamespacesBefore());

        var r = Proc.Run("make", new[] { "-C", Repo.Root, "--no-print-directory", "demo" }, timeoutMs: 900_000);

        Assert.True(r.Code == 0, r.ToString());
        string[] table = r.Out.Split('\n');
        string kvm = Assert.Single(table, l => l.StartsWith("demo-kvm-vm "));
        string xen = Assert.Single(table, l => l.StartsWith("demo-xen-vm "));
        foreach (string row in new[] { kvm, xen })
        {
            Assert.Contains(" OK ", row);
            Assert.Matches(@"gnt\.com\.\d+\s+169\.254\.10\.\d+\s+\S+\s+169\.254\.10\.\d+", row);
        }
        // After both guests went (Xen's order: the vif gone before offline), the node is clean.
        Assert.Matches(@"check:\s+ok\n(.|\n)*ok: 0 channel interface\(s\), all as recorded\n", r.Out);
        Assert.Empty(NamespacesBefore());
        Assert.Empty(Directory.GetDirectories("/run", "gnt-com-demo.*"));
    }
}
