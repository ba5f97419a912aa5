using System.Collections.Generic;
using GntCom.Journaling;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>rp_filter=1 (strict) on the interface: a guest cannot send with another guest's IP.</summary>
internal sealed class RpFilterPart : ChannelPart
{
    public override bool Repairable => true;

    public override void Configure(SetUp s) => SysctlStep.Do(s.Tx, "ipv4", s.Link, "rp_filter", "1");

    public override void Check(CheckView v, ChannelRecord r, List<string> problems) =>
        CheckSysctl(problems, r.Name, "ipv4", "rp_filter", "1");

    /// <summary>Adds a problem when the interface's sysctl is not <paramref name="want"/> (an IPv6 one that does not exist is fine).</summary>
    public static void CheckSysctl(List<string> problems, string ifname, string family, string key, string want)
    {
        string path = Net.Sysctl.InterfaceKey(family, ifname, key);
        if (family == "ipv6" && !Net.Sysctl.Exists(path)) return;
        try
        {
            string have = Net.Sysctl.Read(path);
            if (have != want) problems.Add(ifname + ": " + family + " " + key + " is " + have + ", not " + want);
        }
        catch (GntComException e)
        {
            problems.Add(ifname + ": " + e.Message);
        }
    }
}
