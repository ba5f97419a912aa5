using System;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Hardening;

/// <summary>
/// GntCom's state decides what root does to the network; nobody but root may be able to
/// plant anything in it. A state directory (state_dir, and the per-namespace
/// STATE_DIR/netns/INODE below it) that is a symlink, writable by others or not root's is
/// refused, as is a symlink in place of the lock; nothing is written through them.
/// </summary>
public sealed class StateDirectoryTests
{
    /// <summary>Which directory: state_dir itself, netns/, the namespace's own, or one of its subdirectories.</summary>
    private static string Level(Host h, string level) => level switch
    {
        "state_dir" => h.Sandbox.StateDir,
        "netns" => Path.Combine(h.Sandbox.StateDir, "netns"),
        "namespace root" => h.StateRoot,
        "ifaces" => Path.Combine(h.StateRoot, "ifaces"),
        "journal" => Path.Combine(h.StateRoot, "journal"),
        _ => throw new ArgumentException(level),
    };

    /// <summary>Runs one channel up and down, so that every level exists (lock, layout, ifaces/, journal/...).</summary>
    private static void Populate(Host h)
    {
        var up = Hard.Ifup(h, "tap0");
        Assert.True(up.Code == 0, up.ToString());
        var down = h.Ifdown("tap0");
        Assert.True(down.Code == 0, down.ToString());
        Assert.True(h.Ns.LinkExists("tap0"), "the down gives the tap its own name back");
        Directory.CreateDirectory(Path.Combine(h.StateRoot, "ifaces"));
        Directory.CreateDirectory(Path.Combine(h.StateRoot, "journal"));
    }

    /// <summary>Every file below <paramref name="dir"/> with its content: what "nothing was written" compares.</summary>
    private static string Contents(string dir) =>
        string.Join("\n", Hard.Listing(dir).Select(p =>
        {
            string full = dir + p;
            return p + (File.Exists(full) && !File.GetAttributes(full).HasFlag(FileAttributes.ReparsePoint) ? " = " + File.ReadAllText(full) : "");
        }));

    private static void AssertRefused(Host h, ProcResult r, string expected, string tapBefore)
    {
        Assert.True(r.Code == 1, r.ToString());
        Assert.Contains(expected, Hard.OneErrorLine(r, "gnt-com-ifup"));
        Assert.Equal(tapBefore, Hard.Snapshot(h.Ns));
    }

    [HostTheory]
    [InlineData("state_dir")]
    [InlineData("netns")]
    [InlineData("namespace root")]
    [InlineData("ifaces")]
    [InlineData("journal")]
    public void A_state_directory_that_is_a_symlink_is_refused_and_nothing_is_written_through_it(string level)
    {
        using var h = new Host();
        h.AddTap("tap0");
        Populate(h);
        string dir = Level(h, level);
        // The real directory moves aside and a symlink to it takes its place: following the
        // symlink would find all its state where it expects it.
        string standIn = Path.Combine(h.Sandbox.Dir, "stand-in");
        Directory.Move(dir, standIn);
        Directory.CreateSymbolicLink(dir, standIn);
        string before = Contents(standIn);
        string ns = Hard.Snapshot(h.Ns);

        var r = Hard.Ifup(h, "tap0");

        AssertRefused(h, r, " " + dir + " is a symlink: refusing to follow it", ns);
        Assert.Equal(before, Contents(standIn));
        if (level == "state_dir")
        {
            var allocate = h.Admin("allocate", "--ip", Hard.Ip, "--mac", Hard.Mac);
            Assert.True(allocate.Code == 1, allocate.ToString());
            Assert.Contains(" " + dir + " is a symlink: refusing to follow it", Hard.OneErrorLine(allocate, "gnt-com"));
            Assert.Equal(before, Contents(standIn));
        }
    }

    [HostTheory]
    [InlineData("state_dir", "writable by others", "is writable by others (mode 757): refusing to use it")]
    [InlineData("state_dir", "writable by its group", "is writable by its group (mode 775): refusing to use it")]
    [InlineData("state_dir", "owned by nobody", "is owned by uid 65534, not root: refusing to use it")]
    [InlineData("namespace root", "writable by others", "is writable by others (mode 757): refusing to use it")]
    [InlineData("namespace root", "writable by its group", "is writable by its group (mode 775): refusing to use it")]
    [InlineData("namespace root", "owned by nobody", "is owned by uid 65534, not root: refusing to use it")]
    [InlineData("ifaces", "writable by others", "is writable by others (mode 757): refusing to use it")]
    [InlineData("ifaces", "owned by nobody", "is owned by uid 65534, not root: refusing to use it")]
    public void A_state_directory_others_could_write_is_refused_and_nothing_is_written_in_it(string level, string fault, string expected)
    {
        using var h = new Host();
        h.AddTap("tap0");
        Populate(h);
        string dir = Level(h, level);
        switch (fault)
        {
            case "writable by others": Hard.Chmod(dir, 0b111_101_111); break;
            case "writable by its group": Hard.Chmod(dir, 0b111_111_101); break;
            case "owned by nobody": Hard.Chown(dir, 65534); break;
        }
        string before = Contents(h.Sandbox.StateDir);
        string ns = Hard.Snapshot(h.Ns);

        var r = Hard.Ifup(h, "tap0");

        AssertRefused(h, r, " " + dir + " " + expected, ns);
        Assert.Equal(before, Contents(h.Sandbox.StateDir));
    }

    [HostFact]
    public void A_lock_replaced_by_a_symlink_is_refused_and_its_target_is_not_created()
    {
        using var h = new Host();
        h.AddTap("tap0");
        Populate(h);
        string lockPath = Path.Combine(h.StateRoot, "lock");
        string target = Path.Combine(h.Sandbox.Dir, "planted-lock");
        File.Delete(lockPath);
        File.CreateSymbolicLink(lockPath, target);
        string before = Contents(h.Sandbox.StateDir);
        string ns = Hard.Snapshot(h.Ns);

        var r = Hard.Ifup(h, "tap0");

        AssertRefused(h, r, " " + lockPath + " is a symlink: refusing to follow it", ns);
        Assert.False(File.Exists(target), "the lock's symlink was followed");
        Assert.Equal(before, Contents(h.Sandbox.StateDir));
        // And for the admin's status, which only reads the lock to name its holder.
        h.Admin("status");
        Assert.False(File.Exists(target), "status followed the lock's symlink");
    }
}
