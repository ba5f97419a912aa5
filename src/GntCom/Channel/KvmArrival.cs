using System;
using System.Linq;
using System.Threading;
using GntCom.Interop;
using GntCom.Logging;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// A KVM live migration's target. Ganeti opens the instance's tap there (named gnt.com.N,
/// the next N) and starts qemu with -incoming before the migration, but configures the
/// routed NICs only once it completed (FinalizeMigrationDst runs kvm-ifup): the guest, by
/// then running on the target, could not reach its host meanwhile. When GntCom's udev rule
/// announces a new channel-named interface (`gnt-com arrived`) and Ganeti's migrate hook
/// said an instance is coming (<see cref="ExpectedChannel"/>), the channel is set up at
/// once, so that it is ready when the guest resumes. Which tap is the instance's: Ganeti's
/// KVM NIC file RUN_DIR/kvm-hypervisor/nic/INSTANCE/N names it, written once qemu runs, after
/// the hook ran (an older file is a past run's). Ganeti's kvm-ifup then finds the channel
/// in place. Without udevd, or without the hook, the channel comes up at Ganeti's kvm-ifup.
/// </summary>
internal sealed class KvmArrival
{
    /// <summary>How long the tap's NIC file is waited for: qemu's start under emulation takes seconds.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly Node _n;

    public KvmArrival(Node n) => _n = n;

    /// <summary>The expected channel whose instance's NIC file names <paramref name="name"/>, once Ganeti wrote it; null when none does (in time).</summary>
    public ExpectedChannel? Find(string name, int ifindex)
    {
        var until = DateTime.UtcNow + Wait;
        while (true)
        {
            var expected = _n.Store.ExpectedChannels().Where(e => e.Instance != null && !e.IsExpired(VifMemory.Now)).ToList();
            bool othersOnly = true;
            foreach (var e in expected)
            {
                string? tap = FreshNicFile(e);
                if (tap == name) return e;
                othersOnly &= tap != null;
            }
            // Every instance expected has its tap already (or none is expected): this one is nobody's.
            if (othersOnly) return null;
            // Still the tap Ganeti opened? (qemu may fail to start: then Ganeti closes it.)
            if (DateTime.UtcNow > until || _n.Nl.LinkByIndex(ifindex) is not { } link || link.Name != name) return null;
            Thread.Sleep(100);
        }
    }

    /// <summary>The tap Ganeti's NIC file of <paramref name="e"/>'s NIC names, when it was written for this migration (null: not yet).</summary>
    private string? FreshNicFile(ExpectedChannel e)
    {
        string path = _n.Cfg.GanetiRunDir + "/kvm-hypervisor/nic/" + e.Instance + "/" + e.Nic.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Ganeti's run directory is writable by its daemons' group: read with every care.
        string? text = Libc.ReadForeignFile(Libc.AT_FDCWD, path, 64, followLast: false);
        if (text == null || Libc.FStatAt(Libc.AT_FDCWD, path, out var st, Libc.AT_SYMLINK_NOFOLLOW) != 0 || st.ChangeTime < e.WallClock - 2)
            return null;
        return text.Trim();
    }
}
