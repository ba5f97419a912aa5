using System;
using GntCom.Config;
using GntCom.Dhcp;
using GntCom.Net;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>What every part of a call works with: the settings, this namespace's state, a netlink socket and DHCP.</summary>
internal sealed class Node : IDisposable
{
    public Node(GntComConfig cfg, StateStore store)
    {
        Cfg = cfg;
        Store = store;
        Nl = NetlinkHandle.Open();
        Dhcp = new DhcpManager(cfg, store);
    }

    public GntComConfig Cfg { get; }
    public StateStore Store { get; }
    public NetlinkHandle Nl { get; }
    public DhcpManager Dhcp { get; }

    public void Dispose()
    {
        Nl.Dispose();
        Store.Dispose();
    }
}
