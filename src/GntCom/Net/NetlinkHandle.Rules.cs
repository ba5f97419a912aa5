using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using GntCom.Netlink;

namespace GntCom.Net;

public sealed partial class NetlinkHandle
{
    /// <summary>ip rule add RULE (fails with EEXIST when an identical rule exists).</summary>
    public void RuleAdd(Rule rule) => RuleChange(Rtm.NEWRULE, Nl.F_CREATE | Nl.F_EXCL, rule, "rule add");

    /// <summary>ip rule del RULE.</summary>
    public void RuleDel(Rule rule) => RuleChange(Rtm.DELRULE, 0, rule, "rule del");

    private void RuleChange(ushort type, ushort flags, Rule r, string verb)
    {
        var msg = new NetlinkMessage(type, flags).Header(new FibRuleHdr
        {
            Family = FamilyByte(r.Family),
            DstLen = (byte)(r.To != null ? r.ToLength : 0),
            SrcLen = (byte)(r.From != null ? r.FromLength : 0),
            Table = r.Action == RuleAction.ToTable && r.Table < 256 ? (byte)r.Table : (byte)0,
            Action = (byte)r.Action,
        });
        msg.AttrU32(Rtm.FRA_PRIORITY, r.Priority);
        if (r.Action == RuleAction.ToTable) msg.AttrU32(Rtm.FRA_TABLE, r.Table);
        if (r.Action == RuleAction.Goto) msg.AttrU32(Rtm.FRA_GOTO, r.GotoTarget);
        if (r.InputInterface != null) msg.AttrString(Rtm.FRA_IIFNAME, r.InputInterface);
        if (r.From != null) msg.Attr(Rtm.FRA_SRC, r.From.GetAddressBytes());
        if (r.To != null) msg.Attr(Rtm.FRA_DST, r.To.GetAddressBytes());
        _sock.Execute(msg, verb + " " + r);
    }

    /// <summary>ip rule show: the rules of one family.</summary>
    public List<Rule> RuleList(AddressFamily family)
    {
        var list = new List<Rule>();
        byte fam = FamilyByte(family);
        var msg = new NetlinkMessage(Rtm.GETRULE, Nl.F_DUMP).Header(new FibRuleHdr { Family = fam });
        _sock.Query(msg, "rule show", (type, payload) =>
        {
            if (type != Rtm.NEWRULE) return;
            var attrs = NetlinkAttributeReader.After(payload, out FibRuleHdr hdr);
            if (hdr.Family != fam) return;
            uint priority = 0, table = hdr.Table, target = 0;
            string? iif = null;
            IPAddress? from = null, to = null;
            foreach (var a in new NetlinkAttributeReader(attrs))
            {
                switch (a.Type)
                {
                    case Rtm.FRA_PRIORITY when a.Payload.Length >= 4: priority = a.U32; break;
                    case Rtm.FRA_TABLE when a.Payload.Length >= 4: table = a.U32; break;
                    case Rtm.FRA_GOTO when a.Payload.Length >= 4: target = a.U32; break;
                    case Rtm.FRA_IIFNAME: iif = a.String; break;
                    case Rtm.FRA_SRC: from = new IPAddress(a.Payload); break;
                    case Rtm.FRA_DST: to = new IPAddress(a.Payload); break;
                }
            }
            list.Add(new Rule
            {
                Family = family, Priority = priority, Action = (RuleAction)hdr.Action, Table = table, GotoTarget = target,
                InputInterface = iif, From = from, FromLength = hdr.SrcLen, To = to, ToLength = hdr.DstLen,
            });
        });
        return list;
    }
}
