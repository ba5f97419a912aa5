using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace GntCom.Tests.Infrastructure;

/// <summary>
/// The real systemd-udevd, run for one test inside the test's network namespace: the kernel
/// sends a net device's uevents only to listeners in the device's own namespace, so the
/// host's udevd (if any) never sees the test's interfaces, and this one sees only those
/// (and the host's non-network devices, which no rule here acts on). It runs in a mount
/// namespace of its own where /run is a fresh tmpfs (its database and control socket) and
/// every system rules directory is hidden: it reads only <paramref name="rulesDir"/>
/// (an installed GntCom's rules), bound over /etc/udev/rules.d.
/// </summary>
public sealed class Udevd : IDisposable
{
    public const string Binary = "/lib/systemd/systemd-udevd";
    private readonly NetNs _ns;
    private readonly Background _daemon;
    private readonly string _dir;

    public Udevd(NetNs ns, string rulesDir)
    {
        _ns = ns;
        _dir = Path.Combine(Path.GetTempPath(), "gct-udev-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path.Combine(_dir, "empty"));
        string script = Path.Combine(_dir, "udevd.sh");
        File.WriteAllText(script,
            "#!/bin/sh\nset -e\n" +
            "mount -t tmpfs tmpfs /run\nmkdir /run/udev\n" +
            "for d in /lib/udev/rules.d /usr/lib/udev/rules.d /usr/local/lib/udev/rules.d /etc/udev/rules.d; do\n" +
            "    [ -d \"$d\" ] && mount --bind '" + Path.Combine(_dir, "empty") + "' \"$d\"\n" +
            "done\n" +
            "mount --bind '" + rulesDir + "' /etc/udev/rules.d\n" +
            "exec " + Binary + " --debug\n");
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        _daemon = new Background("ip", new[] { "netns", "exec", ns.Name, "unshare", "--mount", "--propagation", "private", script });
        if (!Ready())
        {
            string log = _daemon.Err;
            Dispose();
            throw new InvalidOperationException("systemd-udevd did not start in " + ns.Name + ":\n" + log);
        }
    }

    /// <summary>What udevd logged (--debug): each event, each rule that matched, each program run.</summary>
    public string Log => _daemon.Err + _daemon.Out;

    /// <summary>Waits until udevd handles a probe interface's removal: it listens and processes events.</summary>
    private bool Ready()
    {
        for (int i = 0; i < 40 && !_daemon.HasExited; i++)
        {
            string probe = "gctprobe" + i;
            _ns.Ip("tuntap", "add", "dev", probe, "mode", "tap");
            _ns.Ip("link", "del", "dev", probe);
            if (Background.WaitFor(() => Log.Contains(probe + ": Device processed"), 500)) return true;
        }
        return false;
    }

    /// <summary>How many times udevd ran a program (GntCom's verb <paramref name="verb"/>) for <paramref name="ifname"/>'s events (lines "IFNAME: Running command").</summary>
    public int Runs(string ifname, string verb = "forget") =>
        Log.Split('\n').Count(l => l.StartsWith(ifname + ": Running command", StringComparison.Ordinal) && l.Contains(" " + verb + " ", StringComparison.Ordinal));

    /// <summary>Waits until udevd has no event of <paramref name="ifname"/> in flight (its last one processed).</summary>
    public bool Settled(string ifname, int timeoutMs = 5000) => Background.WaitFor(() =>
    {
        var lines = Log.Split('\n').Where(l => l.StartsWith(ifname + ": ", StringComparison.Ordinal)).ToList();
        return lines.Count == 0 || lines.FindLastIndex(l => l.Contains("Device processed")) >= lines.FindLastIndex(l => l.Contains("Processing device"));
    }, timeoutMs);

    public void Dispose()
    {
        _daemon.Kill();
        _daemon.WaitForExit(5000);
        // Its workers and what they ran are in the test's namespace: NetNs.Dispose kills them.
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
