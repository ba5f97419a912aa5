using System.Runtime.CompilerServices;
using GntCom.Net;

namespace GntCom.Journaling;

/// <summary>`sysctl ipv4|ipv6 IFINDEX KEY OLD`: /proc/sys/net/FAMILY/conf/LINK/KEY was OLD before this call set it.</summary>
public sealed record SysctlStep(string Family, int Index, string Key, string Old) : JournalStep
{
    public override string Verb => "sysctl";

    [ModuleInitializer]
    internal static void Register() => Register("sysctl", r => new SysctlStep(r.Word("ipv4", "ipv6"), r.Index(),
        r.Word("forwarding", "rp_filter", "proxy_arp", "disable_ipv6"), r.SysctlValue()));

    protected override void Write(StepWriter w) => w.Text(Family).Index(Index).Text(Key).Text(Old);

    /// <summary>Sets the interface's sysctl, remembering the value before (nothing when it has the value).</summary>
    internal static void Do(Transaction tx, string family, Link link, string key, string value)
    {
        string path = Sysctl.InterfaceKey(family, link.Name, key);
        string old = Sysctl.Read(path);
        if (old == value) return;
        tx.Add(new SysctlStep(family, link.Index, key, old));
        Sysctl.Write(path, value);
    }

    internal override void Undo(UndoContext c)
    {
        var link = c.Node.Nl.LinkByIndex(Index);
        if (link == null) return;
        string key = Sysctl.InterfaceKey(Family, link.Name, Key);
        if (Sysctl.Exists(key)) Sysctl.Write(key, Old);
    }
}
