using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;

namespace GntCom.Tests.Operators;

/// <summary>
/// `make install` into a throwaway directory (PREFIX=DIR, SYSCONFDIR=DIR/etc unless told
/// otherwise), removed when disposed. The host's own /usr and /etc are never touched.
/// </summary>
public sealed class Installation : IDisposable
{
    public Installation(string? prefix = null, string? sysconfdir = null, string? destdir = null, Action<string>? before = null)
    {
        Dir = Path.Combine(Path.GetTempPath(), "gct-inst-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Dir);
        // Readable by dnsmasq's unprivileged user, like the Sandbox.
        File.SetUnixFileMode(Dir, (UnixFileMode)0b111_101_101);
        Prefix = prefix ?? Dir;
        SysConfDir = sysconfdir ?? Path.Combine(Dir, "etc");
        DestDir = destdir;
        before?.Invoke(Dir);
        Output = Make("install");
    }

    /// <summary>The temporary directory everything lands in.</summary>
    public string Dir { get; }
    public string Prefix { get; }
    public string SysConfDir { get; }
    public string? DestDir { get; }
    public string Output { get; }

    /// <summary>Where a final path is on disk (under DESTDIR when there is one).</summary>
    public string OnDisk(string finalPath) => (DestDir ?? "") + finalPath;

    public string Config => OnDisk(Path.Combine(SysConfDir, "gnt-com", "gnt-com.conf"));

    /// <summary>Runs `make TARGET PREFIX= SYSCONFDIR= DESTDIR=` in the repository; fails on error.</summary>
    public string Make(string target)
    {
        var args = new List<string> { "-C", Repo.Root, "--no-print-directory", target, "PREFIX=" + Prefix, "SYSCONFDIR=" + SysConfDir };
        if (DestDir != null) args.Add("DESTDIR=" + DestDir);
        var r = Proc.Run("make", args, timeoutMs: 600_000);
        if (r.Code != 0) throw new InvalidOperationException("make " + target + " failed: " + r);
        return r.Out;
    }

    /// <summary>
    /// Every entry under <paramref name="root"/> as "PATH f MODE", "PATH l TARGET" or "PATH d",
    /// PATH relative to the root, sorted.
    /// </summary>
    public static List<string> Listing(string root)
    {
        var entries = new List<string>();
        foreach (string path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(root, path);
            var info = new FileInfo(path);
            if (info.LinkTarget != null) entries.Add(rel + " l " + info.LinkTarget);
            else if (Directory.Exists(path)) entries.Add(rel + " d");
            else entries.Add(rel + " f " + Convert.ToString((int)File.GetUnixFileMode(path), 8).PadLeft(4, '0'));
        }
        entries.Sort(StringComparer.Ordinal);
        return entries;
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
