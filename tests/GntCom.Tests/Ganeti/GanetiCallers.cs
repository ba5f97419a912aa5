using System;
using System.Collections.Generic;
using System.Linq;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// Small emulations of how Ganeti calls the channel scripts, written from the facts in
/// /work/notes/ganeti-callers.md (no Ganeti code is copied): Ganeti 3.1's kvm-ifup, which
/// *sources* CONF_DIR/kvm-ifup-os for a channel tap and then execs CONF_DIR/kvm-vif-bridge;
/// master's kvm-nic-setup, which *executes* CONF_DIR/kvm-ifup-os; and the environment
/// both are given: the node daemon's own (a minimal service environment) with LC_ALL=C and
/// /sbin:/usr/sbin appended to PATH, overlaid with the NIC's variables, run in cwd / under
/// the daemon's umask 077, stdin a pipe closed at once.
/// </summary>
public static class GanetiCallers
{
    /// <summary>
    /// Ganeti 3.1's kvm-ifup, as PKGLIBDIR/kvm-ifup: bash without set -e; checks INTERFACE
    /// and MODE; for MODE=routed and an INTERFACE whose first two dot-fields are gnt.com,
    /// sources CONF_DIR/kvm-ifup-os when it is executable (an `exit` there ends kvm-ifup);
    /// then execs CONF_DIR/kvm-vif-bridge when executable, for the channel tap too. $1 (the
    /// tap) is never read. The bridge/OVS/route set-up of other NICs is not emulated.
    /// </summary>
    public static string KvmIfup31(string confDir) =>
        "#!/bin/bash\n" +
        "# Emulation of Ganeti 3.1's kvm-ifup (tests only; written from the documented behaviour).\n" +
        "readonly CONF_DIR='" + confDir + "'\n" +
        "readonly GANETI_TAP=gnt.com\n" +
        "if [ -z \"$INTERFACE\" ] || [ -z \"$MODE\" ]; then\n" +
        "  echo 'kvm-ifup: INTERFACE and MODE must be set'\n" +
        "  exit 1\n" +
        "fi\n" +
        "is_instance_communication_tap() {\n" +
        "  [ \"$MODE\" = routed ] && [ \"$(echo \"$INTERFACE\" | cut -d . -f 1-2)\" = \"$GANETI_TAP\" ]\n" +
        "}\n" +
        "if is_instance_communication_tap && [ -x \"$CONF_DIR/kvm-ifup-os\" ]; then\n" +
        "  . \"$CONF_DIR/kvm-ifup-os\"\n" +
        "fi\n" +
        "if [ -x \"$CONF_DIR/kvm-vif-bridge\" ]; then\n" +
        "  exec \"$CONF_DIR/kvm-vif-bridge\"\n" +
        "fi\n" +
        "if ! is_instance_communication_tap; then\n" +
        "  : # bridged/openvswitch/routed set-up of other NICs: not emulated\n" +
        "fi\n";

    /// <summary>
    /// Ganeti master's kvm-nic-setup, as PKGLIBDIR/kvm-nic-setup: the same checks, then for
    /// a channel tap `exec CONF_DIR/kvm-ifup-os` with no arguments (ACTION, MIGRATION_PHASE
    /// inherited); its status is the script's. Other NICs would be dispatched to
    /// network/MODE/ACTION: not emulated. kvm-vif-bridge is no longer consulted.
    /// </summary>
    public static string KvmNicSetupMaster(string confDir) =>
        "#!/bin/bash\n" +
        "# Emulation of Ganeti master's kvm-nic-setup (tests only; written from the documented behaviour).\n" +
        "readonly CONF_DIR='" + confDir + "'\n" +
        "readonly GANETI_TAP=gnt.com\n" +
        "if [ -z \"$INTERFACE\" ] || [ -z \"$MODE\" ]; then\n" +
        "  echo 'kvm-nic-setup: INTERFACE and MODE must be set'\n" +
        "  exit 1\n" +
        "fi\n" +
        "is_instance_communication_tap() {\n" +
        "  [ \"$MODE\" = routed ] && [ \"$(echo \"$INTERFACE\" | cut -d . -f 1-2)\" = \"$GANETI_TAP\" ]\n" +
        "}\n" +
        "if is_instance_communication_tap && [ -x \"$CONF_DIR/kvm-ifup-os\" ]; then\n" +
        "  exec \"$CONF_DIR/kvm-ifup-os\"\n" +
        "fi\n" +
        "exit 0 # network/$MODE/$ACTION of other NICs: not emulated\n";

    /// <summary>
    /// The node daemon's environment as a minimal service has it (PATH=/usr/bin:/bin, no
    /// GNT_COM_CONF), as Ganeti's RunCmd passes it on: LC_ALL=C, and PATH with
    /// ":/sbin:/usr/sbin" appended.
    /// </summary>
    public static Dictionary<string, string> NodeDaemonEnvironment() => new()
    {
        ["PATH"] = "/usr/bin:/bin" + ":/sbin:/usr/sbin",
        ["LC_ALL"] = "C",
    };

    /// <summary>What Ganeti overlays for a NIC (hv_base.ConfigureNIC): the channel NIC's variables.</summary>
    public static Dictionary<string, string> NicEnvironment(Nic nic, string iface, bool xen = false)
    {
        var env = NodeDaemonEnvironment();
        env["INSTANCE"] = nic.Instance;
        env["MAC"] = nic.Mac;
        env["MODE"] = "routed";
        env["INTERFACE"] = iface;
        env["INTERFACE_INDEX"] = nic.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["INTERFACE_UUID"] = nic.Uuid;
        // Xen's _WriteNicConfig rewrites the NIC's name to the vif name.
        env["INTERFACE_NAME"] = xen ? iface : "ganeti:communication:" + nic.Instance;
        env["TAGS"] = nic.Tags;
        env["IP"] = nic.Ip;
        env["LINK"] = "communication_rt";
        env["VLAN"] = "";
        env["NETWORK_NAME"] = "gnt-instance-communication";
        env["NETWORK_UUID"] = "0b8a3c2e-5d41-4f7a-9c1e-6a2b7d9e0f13";
        env["NETWORK_TAGS"] = "";
        env["NETWORK_SUBNET"] = "169.254.0.0/16";
        env["NETWORK_SUBNET6"] = "fe80::/10";
        env["NETWORK_MAC_PREFIX"] = "52:54:00";
        return env;
    }

    /// <summary>
    /// What Ganeti's hooks get for `gnt-instance migrate` (hooksmaster's base variables,
    /// LUInstanceMigrate.BuildHooksEnv, BuildInstanceHookEnv) of an instance with a bridged
    /// NIC and the communication NIC <paramref name="nic"/>, from node <paramref name="from"/>
    /// to node <paramref name="to"/>.
    /// </summary>
    public static Dictionary<string, string> MigrateHookEnvironment(Nic nic, string phase, string from, string to, string master)
    {
        var env = new Dictionary<string, string>
        {
            ["PATH"] = "/sbin:/bin:/usr/sbin:/usr/bin",
            ["GANETI_HOOKS_VERSION"] = "2", ["GANETI_HOOKS_PHASE"] = phase, ["GANETI_HOOKS_PATH"] = "instance-migrate",
            ["GANETI_OP_CODE"] = "OP_INSTANCE_MIGRATE", ["GANETI_OBJECT_TYPE"] = "INSTANCE", ["GANETI_DATA_DIR"] = "/var/lib/ganeti",
            ["GANETI_CLUSTER"] = "cluster.example.org", ["GANETI_MASTER"] = master,
            ["GANETI_INSTANCE_NAME"] = nic.Instance, ["GANETI_INSTANCE_PRIMARY"] = from, ["GANETI_INSTANCE_SECONDARY"] = "",
            ["GANETI_INSTANCE_OS_TYPE"] = "noop", ["GANETI_INSTANCE_STATUS"] = "up", ["GANETI_INSTANCE_MEMORY"] = "128",
            ["GANETI_INSTANCE_VCPUS"] = "1", ["GANETI_INSTANCE_DISK_TEMPLATE"] = "diskless", ["GANETI_INSTANCE_DISK_COUNT"] = "0",
            ["GANETI_INSTANCE_NIC_COUNT"] = "2",
            ["GANETI_INSTANCE_NIC0_NAME"] = "", ["GANETI_INSTANCE_NIC0_IP"] = "", ["GANETI_INSTANCE_NIC0_MAC"] = "52:54:00:ff:00:01",
            ["GANETI_INSTANCE_NIC0_MODE"] = "bridged", ["GANETI_INSTANCE_NIC0_LINK"] = "br0", ["GANETI_INSTANCE_NIC0_BRIDGE"] = "br0",
            ["GANETI_INSTANCE_NIC1_NAME"] = "ganeti:communication:" + nic.Instance, ["GANETI_INSTANCE_NIC1_UUID"] = nic.Uuid,
            ["GANETI_INSTANCE_NIC1_IP"] = nic.Ip, ["GANETI_INSTANCE_NIC1_MAC"] = nic.Mac, ["GANETI_INSTANCE_NIC1_MODE"] = "routed",
            ["GANETI_INSTANCE_NIC1_LINK"] = "communication_rt", ["GANETI_INSTANCE_NIC1_VLAN"] = "",
            ["GANETI_INSTANCE_NIC1_NETWORK_NAME"] = "gnt-instance-communication",
            ["GANETI_MIGRATE_LIVE"] = "True", ["GANETI_MIGRATE_CLEANUP"] = "False", ["GANETI_ALLOW_RUNTIME_CHANGES"] = "True",
            ["GANETI_OLD_PRIMARY"] = from, ["GANETI_NEW_PRIMARY"] = to, ["GANETI_OLD_SECONDARY"] = "", ["GANETI_NEW_SECONDARY"] = "",
        };
        return env;
    }

    /// <summary>
    /// The argv that runs <paramref name="command"/> as Ganeti's node daemon runs it: with
    /// exactly <paramref name="env"/>, in cwd / (RunCmd's), under the daemon's umask 077.
    /// </summary>
    public static string[] AsNodeDaemon(IReadOnlyDictionary<string, string> env, params string[] command) =>
        new[] { "-c", "umask 077 && exec \"$@\"", "ganeti-noded", "/usr/bin/env", "-i", "-C", "/" }
            .Concat(env.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value))
            .Concat(command).ToArray();
}

/// <summary>A Ganeti instance's communication NIC.</summary>
public sealed record Nic(string Instance, string Ip, string Mac, int Seq = 1)
{
    public string Uuid { get; } = Guid.NewGuid().ToString();
    public string Tags { get; init; } = "env:test owner:gnt-com";
}
