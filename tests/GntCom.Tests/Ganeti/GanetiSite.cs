using System;
using System.Collections.Generic;
using System.IO;
using GntCom.Tests.Infrastructure;
using GntCom.Tests.Operators;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// What a Ganeti cluster's nodes share in a test: GntCom installed with `make install
/// PREFIX=DIR SYSCONFDIR=DIR/etc`, its installed gnt-com.conf pointed into a sandbox
/// (state, hooks, ganeti_dir), /etc/ganeti emulated by CONF_DIR = DIR/etc/ganeti holding
/// the ganeti package's kvm-ifup-os and xen-ifup-os as regular files, switched to GntCom
/// by the documented one step, `gnt-com ganeti enable`, and Ganeti's PKGLIBDIR scripts
/// (kvm-ifup of 3.1, kvm-nic-setup of master) emulated in DIR/lib/ganeti. Nodes (network
/// namespaces) are made with <see cref="Node"/>; state is per namespace, so each node
/// keeps its own.
/// </summary>
public sealed class GanetiSite : IDisposable
{
    private readonly string _installedConfig;

    public GanetiSite(string config = "dhcp = off\n", bool enable = true)
    {
        Install = new Installation();
        try
        {
            Sandbox = new Sandbox("");
            ConfDir = Path.Combine(Install.SysConfDir, "ganeti");
            GanetiPackage.WriteConfFiles(ConfDir);
            _installedConfig = File.ReadAllText(Install.Config);
            SetConfig(config);
            // The admin's wiring, exactly as documented: one command.
            if (enable)
            {
                using var ns = new NetNs("site");
                var r = ns.Exec(GntCom, new[] { "--config", ConfigPath, "ganeti", "enable" }, new Dictionary<string, string?> { ["GNT_COM_CONF"] = null });
                if (r.Code != 0) throw new InvalidOperationException("gnt-com ganeti enable failed: " + r);
            }

            string lib = Path.Combine(Install.Dir, "lib", "ganeti");
            Directory.CreateDirectory(lib);
            KvmIfup = Executable(Path.Combine(lib, "kvm-ifup"), GanetiCallers.KvmIfup31(ConfDir));
            KvmNicSetup = Executable(Path.Combine(lib, "kvm-nic-setup"), GanetiCallers.KvmNicSetupMaster(ConfDir));
        }
        catch
        {
            Sandbox?.Dispose();
            Install.Dispose();
            throw;
        }
    }

    public Installation Install { get; }
    public Sandbox Sandbox { get; }

    /// <summary>The emulated /etc/ganeti.</summary>
    public string ConfDir { get; }

    /// <summary>Ganeti 3.1's PKGLIBDIR/kvm-ifup (emulated).</summary>
    public string KvmIfup { get; }

    /// <summary>Ganeti master's PKGLIBDIR/kvm-nic-setup (emulated).</summary>
    public string KvmNicSetup { get; }

    public string ConfigPath => Install.Config;
    public string GntCom => Path.Combine(Install.Prefix, "sbin", "gnt-com");
    public string VifScript => Path.Combine(Install.Prefix, "sbin", "vif-gnt-com");
    public string GntComIfup => Path.Combine(Install.Prefix, "sbin", "gnt-com-ifup");

    /// <summary>The installed config as `make install` wrote it, then the sandbox's paths and <paramref name="extra"/>.</summary>
    public void SetConfig(string extra) =>
        File.WriteAllText(Install.Config, _installedConfig + "\n# the test's sandbox\nstate_dir = " + Sandbox.StateDir
            + "\nhooks_dir = " + Sandbox.HooksDir + "\nganeti_dir = " + ConfDir + "\nsyslog_socket = off\n" + extra);

    /// <summary>The installed udev rules (GntCom's 60-gnt-com.rules).</summary>
    public string UdevRulesDir => Path.Combine(Install.SysConfDir, "udev", "rules.d");

    /// <summary>The real systemd-udevd in <paramref name="node"/>'s namespace, reading the installed rule.</summary>
    public Udevd Udev(GanetiNode node) => new(node.Ns, UdevRulesDir);

    /// <summary>
    /// The same, with the system's 80-net-setup-link.rules too, as a node's udevd runs it: it
    /// applies the .link files (Debian's 99-default.link: MACAddressPolicy=persistent, a MAC
    /// derived from the interface's name and the machine-id for a device created with a
    /// random one, as taps are).
    /// </summary>
    public Udevd UdevWithLinkPolicy(GanetiNode node)
    {
        string dir = Path.Combine(Sandbox.Dir, "udev-rules-" + node.Ns.Name);
        Directory.CreateDirectory(dir);
        foreach (string f in Directory.GetFiles(UdevRulesDir)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)), overwrite: true);
        File.Copy("/lib/udev/rules.d/80-net-setup-link.rules", Path.Combine(dir, "80-net-setup-link.rules"), overwrite: true);
        return new Udevd(node.Ns, dir);
    }

    /// <summary>The admin's CONF_DIR/kvm-vif-bridge: records that it ran (and what the channel looked like then) in the returned file.</summary>
    public string InstallKvmVifBridge()
    {
        string marker = Path.Combine(Sandbox.Dir, "kvm-vif-bridge.ran");
        Executable(Path.Combine(ConfDir, "kvm-vif-bridge"),
            "#!/bin/sh\n{ echo \"kvm-vif-bridge INTERFACE=$INTERFACE IP=$IP\"; ip -4 route show dev \"$INTERFACE\"; } >> '" + marker + "'\n");
        return marker;
    }

    public GanetiNode Node(string role = "node") => new(this, role);

    private static string Executable(string path, string text)
    {
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    public void Dispose()
    {
        Sandbox.Dispose();
        Install.Dispose();
    }
}
