using System.Collections.Generic;
using GntCom.Journaling;
using GntCom.Net;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// IPv6 off on the interface; in bind-interfaces mode (dnsmasq binds each interface and
/// needs an address unique to each) on instead, with fe80::a9fe:a9fe:HI:LO and the
/// interface's own isolation rule `-6 iif NAME prohibit`.
/// </summary>
internal sealed class Ipv6Part : ChannelPart
{
    public override bool Repairable => true;

    public override void Configure(SetUp s)
    {
        var n = s.Node;
        bool needsV6 = false;
        try
        {
            needsV6 = n.Dhcp.NeedsInterfaceIpv6;
        }
        catch (GntComException) when (!n.Cfg.DhcpRequired)
        {
            // dnsmasq cannot even be asked its mode: the DHCP part reports it (not fatal by default).
        }
        if (needsV6)
        {
            SysctlStep.Do(s.Tx, "ipv6", s.Link, "disable_ipv6", "0");
            var v6 = Dhcp.DhcpManager.InterfaceIpv6(n.Cfg.ChannelIndex(s.Record.Name));
            AddrStep.Do(s.Tx, s.Link, v6, 64, NetlinkHandle.AddrNoDad);
            Isolation6Step.Do(s.Tx, s.Record.Name);
            s.Record = s.Record with { Ipv6 = v6 };
        }
        else if (Sysctl.Exists(Sysctl.InterfaceKey("ipv6", s.Link.Name, "disable_ipv6")))
        {
            SysctlStep.Do(s.Tx, "ipv6", s.Link, "disable_ipv6", "1");
        }
    }

    public override void Remove(TearDown t)
    {
        var r = t.Record;
        if (r.Ipv6 == null) return;
        if (t.Link != null) NetlinkHandle.IgnoreNotFound(() => t.Node.Nl.AddrDel(r.Index, r.Ipv6, 64));
        Isolation.RemoveIpv6Rule(t.Node.Nl, r.Name);
    }

    public override void Check(CheckView v, ChannelRecord r, List<string> problems)
    {
        if (!v.Ipv6Mode) RpFilterPart.CheckSysctl(problems, r.Name, "ipv6", "disable_ipv6", "1");
    }
}
