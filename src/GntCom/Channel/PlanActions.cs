using System.Net;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// One thing `gnt-com adopt` or `gnt-com ganeti enable|disable` does (or, with --dry-run,
/// would do). Plans are lists of these, decided first and then carried out; they become
/// text only where they are printed (<see cref="Describe"/>).
/// </summary>
public abstract record PlanAction
{
    public abstract string Describe();
}

/// <summary>A channel Ganeti's scripts configured becomes GntCom's.</summary>
public sealed record AdoptChannel(string Name, IPAddress Ip, string Mac, ChannelKind Kind) : PlanAction
{
    public override string Describe() => "adopt " + Name + ": ip=" + Ip + " mac=" + Mac + " (" + (Kind == ChannelKind.Vif ? "vif" : "tap") + ")";
}

/// <summary>Ganeti's own dnsmasq goes (GntCom's serves the same leases).</summary>
public sealed record StopGanetiDnsmasq(int Pid, string PidFile) : PlanAction
{
    public override string Describe() => "stop Ganeti's dnsmasq (pid " + Pid + ", " + PidFile + ")";
}

/// <summary>GntCom's dnsmasq serves every adopted guest.</summary>
public sealed record ServeLeases : PlanAction
{
    public override string Describe() => "serve the guests' leases from GntCom's dnsmasq";
}

/// <summary>Ganeti's file CONF_DIR/NAME is kept as NAME.gnt-com-orig (a hard link).</summary>
public sealed record KeepGanetiFile(string Path, string KeptAs, bool ReplacesOlderCopy) : PlanAction
{
    public override string Describe() => "keep Ganeti's " + Path + " as " + KeptAs + (ReplacesOlderCopy ? " (replacing the older copy kept there)" : "");
}

/// <summary>GntCom's shim goes in place of CONF_DIR/NAME (or replaces an older shim of GntCom's).</summary>
public sealed record InstallShim(string Path, string Ifup, bool Update, bool WasAbsent, string Text) : PlanAction
{
    public override string Describe() => Update ? "update GntCom's shim " + Path + " (runs " + Ifup + ")"
        : "install GntCom's shim as " + Path + " (runs " + Ifup + (WasAbsent ? "; there was no such file" : "") + ")";
}

/// <summary>Ganeti's file is in place already (a ganeti upgrade's): the older copy enable kept goes aside, never deleted.</summary>
public sealed record SetAsideKeptCopy(string Path, string KeptAs, string OldAs) : PlanAction
{
    public override string Describe() => "set the copy kept in " + KeptAs + " aside as " + OldAs + " (" + Path + " is not GntCom's shim: left as it is)";
}

/// <summary>GntCom's Ganeti hook (instance migration) goes in place, or an older one is updated.</summary>
public sealed record InstallHook(string Path, string Runs, bool Update, string Text) : PlanAction
{
    public override string Describe() => (Update ? "update GntCom's Ganeti hook " : "install GntCom's Ganeti hook ") + Path + " (runs " + Runs + ")";
}

/// <summary>GntCom's Ganeti hook goes.</summary>
public sealed record RemoveHook(string Path) : PlanAction
{
    public override string Describe() => "remove GntCom's Ganeti hook " + Path;
}

/// <summary>Ganeti's own file back in place of GntCom's shim (from <see cref="Source"/>; none: the shim only goes).</summary>
public sealed record RestoreGanetiFile(string Path, string? Source) : PlanAction
{
    public override string Describe() => Source != null ? "put Ganeti's " + Path + " back (from " + Source + ")"
        : "remove GntCom's shim " + Path + " (there was no such file before)";
}

/// <summary>NAME.gnt-com-orig is a second name of Ganeti's NAME (an enable was stopped half way): it goes.</summary>
public sealed record DropSecondName(string Path, string KeptAs) : PlanAction
{
    public override string Describe() => "drop " + KeptAs + ", a second name of Ganeti's " + Path + " (left by an enable that was stopped)";
}

/// <summary>A live channel is left to Ganeti's scripts as it is.</summary>
public sealed record HandBack(ChannelRecord Channel) : PlanAction
{
    public override string Describe() => "hand " + Channel.Describe() + " back to Ganeti's scripts (it stays up, addressed and routed)";
}

/// <summary>GntCom's dnsmasq goes.</summary>
public sealed record StopGntComDnsmasq(int Pid) : PlanAction
{
    public override string Describe() => "stop GntCom's dnsmasq (pid " + Pid + ")";
}

/// <summary>The live guests' leases go into Ganeti's dnsmasq.hosts.</summary>
public sealed record AddLeasesToGaneti(int Count, string HostsFile) : PlanAction
{
    public override string Describe() => "add " + Count + " guest lease(s) to " + HostsFile;
}

/// <summary>Ganeti's running dnsmasq is told (SIGHUP).</summary>
public sealed record ReloadGanetiDnsmasq(int Pid) : PlanAction
{
    public override string Describe() => "reload Ganeti's dnsmasq (pid " + Pid + ")";
}

/// <summary>Nothing of Ganeti's DHCP is touched: its scripts set it up at the next instance start.</summary>
public sealed record LeaveDhcpToGaneti(string Why) : PlanAction
{
    public override string Describe() => Why;
}

/// <summary>Ganeti's Xen vif script for the channel becomes vif-gnt-com (dpkg-divert --local --rename, and a symlink).</summary>
public sealed record DivertVifScript(string Path, string VifGntCom, bool Update) : PlanAction
{
    public override string Describe() => Update ? "point " + Path + " at " + VifGntCom
        : "divert Ganeti's " + Path + " (kept as " + GntCom.Ganeti.GanetiVifScript.Diverted + ") and link it to " + VifGntCom;
}

/// <summary>Ganeti's Xen vif script back (the diversion removed).</summary>
public sealed record UndivertVifScript(string Path, string From) : PlanAction
{
    public override string Describe() => "put Ganeti's " + Path + " back (from " + From + ")";
}
