using System;
using System.Collections.Generic;
using System.IO;

namespace GntCom.Tests.Infrastructure;

/// <summary>
/// A throwaway GntCom installation: a config, a state directory and a hooks directory
/// under /tmp, handed to the executables through GNT_COM_CONF.
/// </summary>
public sealed class Sandbox : IDisposable
{
    public Sandbox(string extraConfig = "dhcp = off\n")
    {
        Dir = Path.Combine(Path.GetTempPath(), "gct-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Dir);
        // dnsmasq drops to an unprivileged user and must still read its hosts file.
        File.SetUnixFileMode(Dir, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(HooksDir);
        Directory.CreateDirectory(Path.Combine(HooksDir, "ifup.d"));
        Directory.CreateDirectory(Path.Combine(HooksDir, "ifdown.d"));
        WriteConfig(extraConfig);
    }

    public string Dir { get; }
    public string ConfigPath => Path.Combine(Dir, "gnt-com.conf");
    public string StateDir => Path.Combine(Dir, "run");
    public string HooksDir => Path.Combine(Dir, "hooks");

    public void WriteConfig(string extra) =>
        File.WriteAllText(ConfigPath, "state_dir = " + StateDir + "\nhooks_dir = " + HooksDir + "\nsyslog_socket = off\n" + extra);

    /// <summary>The state root of a namespace (state lives per network namespace).</summary>
    public string StateRoot(NetNs ns)
    {
        string inode = Proc.Run("ip", "netns", "exec", ns.Name, "stat", "-L", "-c", "%i", "/proc/self/ns/net").Out.Trim();
        return Path.Combine(StateDir, "netns", inode);
    }

    /// <summary>Environment for an executable: the sandbox's config plus <paramref name="vars"/>.</summary>
    public Dictionary<string, string?> Env(params (string Key, string? Value)[] vars)
    {
        var env = new Dictionary<string, string?> { ["GNT_COM_CONF"] = ConfigPath };
        foreach (var (k, v) in vars) env[k] = v;
        return env;
    }

    /// <summary>Installs an executable hook script in ifup.d or ifdown.d.</summary>
    public string Hook(string dir, string name, string body)
    {
        string path = Path.Combine(HooksDir, dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
