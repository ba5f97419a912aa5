using CommandLine;

namespace GntCom.Admin;

/// <summary>Options every verb takes.</summary>
public abstract class CommonOptions
{
    [Option("config", MetaValue = "FILE", HelpText = "Config file (default: $GNT_COM_CONF, else /etc/gnt-com/gnt-com.conf).")]
    public string? Config { get; set; }
}

[Verb("allocate", HelpText = "Reserve the next free channel name for a guest about to start and print it (for qemu's ifname=).")]
public sealed class AllocateOptions : CommonOptions
{
    [Option("ip", Required = true, MetaValue = "IP", HelpText = "The guest's IP in the channel network.")]
    public string Ip { get; set; } = "";

    [Option("mac", Required = true, MetaValue = "MAC", HelpText = "The guest's MAC on its channel NIC.")]
    public string Mac { get; set; } = "";

    [Option("instance", MetaValue = "NAME", HelpText = "The instance's name (shown in logs and status, passed to hooks).")]
    public string? Instance { get; set; }
}

[Verb("release", HelpText = "Drop a reservation made by allocate (for a guest that never started).")]
public sealed class ReleaseOptions : CommonOptions
{
    [Value(0, MetaName = "NAME", Required = true, HelpText = "The reserved name, e.g. gnt.com.3.")]
    public string Name { get; set; } = "";
}

[Verb("status", HelpText = "Show the channel interfaces, reservations and DHCP server.")]
public sealed class StatusOptions : CommonOptions
{
    [Option("json", HelpText = "Print one JSON document (see gnt-com(8) for its fields).")]
    public bool Json { get; set; }
}

[Verb("check", HelpText = "Compare the host with GntCom's records; exit 1 and list the differences if any.")]
public sealed class CheckOptions : CommonOptions
{
    [Option("json", HelpText = "Print one JSON document: {\"ok\": ..., \"problems\": [...]}.")]
    public bool Json { get; set; }
}

[Verb("repair", HelpText = "Heal state left by killed runs and vanished interfaces, and put back what is missing.")]
public sealed class RepairOptions : CommonOptions
{
}

[Verb("adopt", HelpText = "Take over the channel interfaces and dnsmasq that Ganeti's own ifup-os scripts set up on this node.")]
public sealed class AdoptOptions : CommonOptions
{
    [Option("ganeti-run-dir", MetaValue = "DIR", HelpText = "Where Ganeti's dnsmasq.hosts and dnsmasq.pid are (default: ganeti_run_dir, /var/run/ganeti).")]
    public string? GanetiRunDir { get; set; }

    [Option("dry-run", HelpText = "Print what would be done, change nothing.")]
    public bool DryRun { get; set; }
}

[Verb("ganeti", HelpText = "Switch this Ganeti node to GntCom (enable: shims in place of Ganeti's kvm-ifup-os and xen-ifup-os, live channels adopted, Ganeti's dnsmasq replaced) or back (disable); refresh brings an enabled node's shims up to this version.")]
public sealed class GanetiOptions : CommonOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "enable, disable or refresh.")]
    public string Action { get; set; } = "";

    [Option("quiet", HelpText = "Print only what was done: nothing, and exit 0, where there is nothing to do (no Ganeti, or GntCom not enabled for it: the package's scripts use this).")]
    public bool Quiet { get; set; }

    [Option("ganeti-run-dir", MetaValue = "DIR", HelpText = "Where Ganeti's dnsmasq.hosts, dnsmasq.conf and dnsmasq.pid are (default: ganeti_run_dir, /var/run/ganeti).")]
    public string? GanetiRunDir { get; set; }

    [Option("dry-run", HelpText = "Print what would be done, change nothing.")]
    public bool DryRun { get; set; }
}

[Verb("down", HelpText = "Take channels down as their hypervisor's down call would; --all takes GntCom off this node (every channel down, reservations and shared rules gone, dnsmasq stopped, the state directory removed).")]
public sealed class DownOptions : CommonOptions
{
    [Value(0, MetaName = "NAME", HelpText = "Channel names (gnt.com.N), or the names their hypervisor gave the interfaces.")]
    public System.Collections.Generic.IEnumerable<string> Names { get; set; } = System.Array.Empty<string>();

    [Option("all", HelpText = "Every channel, and then GntCom's dnsmasq, rules and state (refused while GntCom is enabled for Ganeti).")]
    public bool All { get; set; }
}

[Verb("arrived", HelpText = "Set up the channel of a live migration's target as soon as the kernel adds its tap (GntCom's udev rule runs it): only a tap Ganeti opened for an instance the migrate hook expects.")]
public sealed class ArrivedOptions : CommonOptions
{
    [Value(0, MetaName = "IFNAME", Required = true, HelpText = "The added interface's name (udev's INTERFACE).")]
    public string Name { get; set; } = "";

    [Value(1, MetaName = "IFINDEX", Required = true, HelpText = "Its interface index (udev's IFINDEX).")]
    public string Index { get; set; } = "";
}

[Verb("forget", HelpText = "Forget the channel of an interface the kernel removed (GntCom's udev rule runs it): only a record carrying IFINDEX goes.")]
public sealed class ForgetOptions : CommonOptions
{
    [Value(0, MetaName = "IFNAME", Required = true, HelpText = "The removed interface's name (udev's INTERFACE).")]
    public string Name { get; set; } = "";

    [Value(1, MetaName = "IFINDEX", Required = true, HelpText = "Its interface index (udev's IFINDEX).")]
    public string Index { get; set; } = "";
}

[Verb("dhcp", HelpText = "Control the DHCP server: status, reload (rewrite files, SIGHUP) or stop.")]
public sealed class DhcpOptions : CommonOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "status, reload or stop.")]
    public string Action { get; set; } = "";
}
