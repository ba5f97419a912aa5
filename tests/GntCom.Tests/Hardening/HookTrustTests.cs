using System.IO;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Hardening;

/// <summary>
/// Hooks run as root: one that someone other than root could have written (or replaced,
/// through its directory or a symlink's target) never runs. A refused ifup hook fails the
/// up and the up is undone; a refused ifdown hook is logged and the down goes on.
/// </summary>
public sealed class HookTrustTests
{
    /// <summary>Each way a hook can be untrusted, with what the refusal must say.</summary>
    public static TheoryData<string, string> Holes => new()
    {
        { "owned by nobody", "it is owned by uid 65534, not root" },
        { "mode 0777", "it is writable by others (mode 777)" },
        { "group-writable", "it is writable by its group (mode 775)" },
        { "in a world-writable hook directory", "is writable by others (mode 777)" },
        { "in a group-writable hook directory", "is writable by its group (mode 775)" },
        { "symlink to a world-writable file", "/targets/mark is writable by others (mode 777)" },
        { "symlink to a file in a world-writable directory", "/open is writable by others (mode 777)" },
        { "hook directory is a symlink to a world-writable directory", "/open is writable by others (mode 777)" },
        { "path through a directory and a symlink another user owns", "/userdir is owned by uid 65534, not root" },
    };

    /// <summary>Installs an executable hook in HOOKS/<paramref name="dir"/> that touches <paramref name="marker"/>, made untrusted as <paramref name="hole"/> says; returns its path.</summary>
    private static string PlantHook(Sandbox s, string dir, string hole, string marker)
    {
        string hookDir = Path.Combine(s.HooksDir, dir);
        string open = Path.Combine(s.Dir, "open"); // a directory anyone may write (no sticky bit)
        string body = "touch " + marker;
        switch (hole)
        {
            case "owned by nobody":
            {
                string hook = s.Hook(dir, "10-mark", body);
                Hard.Chown(hook, 65534);
                return hook;
            }
            case "mode 0777":
            {
                string hook = s.Hook(dir, "10-mark", body);
                Hard.Chmod(hook, 0b111_111_111);
                return hook;
            }
            case "group-writable":
            {
                string hook = s.Hook(dir, "10-mark", body);
                Hard.Chmod(hook, 0b111_111_101);
                return hook;
            }
            case "in a world-writable hook directory":
                Hard.Chmod(hookDir, 0b111_111_111);
                return s.Hook(dir, "10-mark", body);
            case "in a group-writable hook directory":
                Hard.Chmod(hookDir, 0b111_111_101);
                return s.Hook(dir, "10-mark", body);
            case "symlink to a world-writable file":
            {
                string targets = Path.Combine(s.Dir, "targets");
                Directory.CreateDirectory(targets);
                Hard.Chmod(targets, 0b111_101_101);
                string target = Path.Combine(targets, "mark");
                File.WriteAllText(target, "#!/bin/sh\n" + body + "\n");
                Hard.Chmod(target, 0b111_111_111);
                string hook = Path.Combine(hookDir, "10-mark");
                File.CreateSymbolicLink(hook, target);
                return hook;
            }
            case "path through a directory and a symlink another user owns":
            {
                // The final file and its directory are root's, but the way there goes through
                // nobody's directory and nobody's symlink, which nobody could re-point between
                // the check and the start.
                string rootDir = Path.Combine(s.Dir, "roots");
                Directory.CreateDirectory(rootDir);
                Hard.Chmod(rootDir, 0b111_101_101);
                string target = Path.Combine(rootDir, "mark");
                File.WriteAllText(target, "#!/bin/sh\n" + body + "\n");
                Hard.Chmod(target, 0b111_101_101);
                string userdir = Path.Combine(s.Dir, "userdir");
                Directory.CreateDirectory(userdir);
                File.CreateSymbolicLink(Path.Combine(userdir, "cur"), rootDir);
                Hard.Chown(userdir, 65534);
                Proc.Must("chown", "-h", "65534", Path.Combine(userdir, "cur"));
                string hook = Path.Combine(hookDir, "10-mark");
                File.CreateSymbolicLink(hook, Path.Combine(userdir, "cur", "mark"));
                return hook;
            }
            case "symlink to a file in a world-writable directory":
            {
                Directory.CreateDirectory(open);
                Hard.Chmod(open, 0b111_111_111);
                string target = Path.Combine(open, "mark");
                File.WriteAllText(target, "#!/bin/sh\n" + body + "\n");
                Hard.Chmod(target, 0b111_101_101);
                string hook = Path.Combine(hookDir, "10-mark");
                File.CreateSymbolicLink(hook, target);
                return hook;
            }
            case "hook directory is a symlink to a world-writable directory":
            {
                Directory.CreateDirectory(open);
                Hard.Chmod(open, 0b111_111_111);
                Directory.Delete(hookDir);
                Directory.CreateSymbolicLink(hookDir, open);
                return s.Hook(dir, "10-mark", body);
            }
            default:
                throw new System.ArgumentException(hole);
        }
    }

    [HostTheory]
    [MemberData(nameof(Holes))]
    public void An_untrusted_ifup_hook_never_runs_and_the_up_fails_changing_nothing(string hole, string why)
    {
        using var h = new Host();
        h.AddTap("tap0");
        string marker = Path.Combine(h.Sandbox.Dir, "hook-ran");
        string hook = PlantHook(h.Sandbox, "ifup.d", hole, marker);
        string before = Hard.Snapshot(h.Ns);

        var r = Hard.Ifup(h, "tap0");

        Assert.True(r.Code == 1, r.ToString());
        string line = Hard.OneErrorLine(r, "gnt-com-ifup");
        Assert.Contains("hook " + hook + " refused: ", line);
        Assert.Contains(why, line);
        Assert.False(File.Exists(marker), "the refused hook ran");
        Assert.Equal(before, Hard.Snapshot(h.Ns));
        Assert.True(h.Ns.LinkExists("tap0"), "the tap lost its name");
        Assert.Empty(h.Records());
    }

    [HostTheory]
    [MemberData(nameof(Holes))]
    public void An_untrusted_ifdown_hook_never_runs_is_logged_and_the_down_succeeds(string hole, string why)
    {
        using var h = new Host();
        h.AddTap("tap0");
        var up = Hard.Ifup(h, "tap0");
        Assert.True(up.Code == 0, up.ToString());
        string marker = Path.Combine(h.Sandbox.Dir, "hook-ran");
        string hook = PlantHook(h.Sandbox, "ifdown.d", hole, marker);

        var down = h.Ifdown("tap0");

        Assert.True(down.Code == 0, down.ToString());
        Assert.Contains("hook " + hook + " refused: ", down.Err);
        Assert.Contains(why, down.Err);
        Assert.False(File.Exists(marker), "the refused hook ran");
        Assert.Empty(h.Records());
        Assert.Empty(h.Ns.Routes());
        Assert.DoesNotContain("inet ", h.AddrShow("tap0"));
        Assert.DoesNotContain("1692", h.Ns.Ip("rule"));
    }

    [HostFact]
    public void A_trusted_hook_still_runs_also_through_a_symlink_to_a_trusted_file()
    {
        using var h = new Host();
        h.AddTap("tap0");
        string up = Path.Combine(h.Sandbox.Dir, "up-ran");
        string viaLink = Path.Combine(h.Sandbox.Dir, "link-ran");
        string down = Path.Combine(h.Sandbox.Dir, "down-ran");
        h.Sandbox.Hook("ifup.d", "10-mark", "touch " + up);
        h.Sandbox.Hook("ifdown.d", "10-mark", "touch " + down);
        string lib = Path.Combine(h.Sandbox.Dir, "lib");
        Directory.CreateDirectory(lib);
        Hard.Chmod(lib, 0b111_101_101);
        File.WriteAllText(Path.Combine(lib, "mark"), "#!/bin/sh\ntouch " + viaLink + "\n");
        Hard.Chmod(Path.Combine(lib, "mark"), 0b111_101_101);
        File.CreateSymbolicLink(Path.Combine(h.Sandbox.HooksDir, "ifup.d", "20-linked"), Path.Combine(lib, "mark"));

        var r = Hard.Ifup(h, "tap0");
        Assert.True(r.Code == 0, r.ToString());
        Assert.True(File.Exists(up), "the trusted ifup hook did not run");
        Assert.True(File.Exists(viaLink), "the trusted hook behind a symlink did not run");
        Assert.Equal(new[] { "gnt.com.0" }, h.Records());

        var d = h.Ifdown("tap0");
        Assert.True(d.Code == 0, d.ToString());
        Assert.True(File.Exists(down), "the trusted ifdown hook did not run");
    }
}
