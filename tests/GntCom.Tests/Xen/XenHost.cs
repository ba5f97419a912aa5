using System;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;

namespace GntCom.Tests.Xen;

/// <summary>
/// A Xen dom0 stand-in: a host namespace, our xenstore server, and a veth pair standing in
/// for netback (host end vifD.N, peer in a "guest" namespace).
/// </summary>
public sealed class XenHost : IDisposable
{
    public XenHost(string config = "dhcp = off\n")
    {
        Host = new Host(config);
        try
        {
            Guest = new NetNs("guest");
            Store = new XenstoreServer(Path.Combine(Host.Sandbox.Dir, "xenstored.socket"));
        }
        catch
        {
            Guest?.Dispose();
            Host.Dispose();
            throw;
        }
    }

    public Host Host { get; }
    public NetNs Ns => Host.Ns;
    public NetNs Guest { get; }
    public XenstoreServer Store { get; }

    public static string Backend(int dom, int dev) => "/local/domain/0/backend/vif/" + dom + "/" + dev;

    /// <summary>Creates vifDOM.DEV in the host with its peer "eth0" in the guest, and the store's backend nodes.</summary>
    public string AddVif(int dom, int dev, string mac, string? ip = null, string? vifname = null, string? domainName = null)
    {
        string vif = "vif" + dom + "." + dev;
        Ns.Ip("link", "add", vif, "type", "veth", "peer", "name", "geth" + dom);
        Ns.Ip("link", "set", "geth" + dom, "netns", Guest.Name);
        Guest.Ip("link", "set", "geth" + dom, "name", "eth0");
        Guest.Ip("link", "set", "eth0", "address", mac);
        string b = Backend(dom, dev);
        Store.Write(b + "/mac", mac);
        Store.Write(b + "/script", "/etc/xen/scripts/vif-gnt-com");
        Store.Write(b + "/hotplug-status", "");
        if (ip != null) Store.Write(b + "/ip", ip);
        if (vifname != null) Store.Write(b + "/vifname", vifname);
        if (domainName != null) Store.Write("/local/domain/" + dom + "/name", domainName);
        return vif;
    }

    /// <summary>Runs out/vif-gnt-com as libxl would: ACTION, and vif/XENBUS_PATH in the environment.</summary>
    public ProcResult Vif(string action, string vif, int dom, int dev, params (string Key, string? Value)[] env) =>
        Host.Run("vif-gnt-com", new[] { action }, new[]
        {
            ("vif", (string?)vif), ("XENBUS_PATH", "backend/vif/" + dom + "/" + dev),
            ("XENSTORED_PATH", Store.SocketPath), ("XENBUS_TYPE", "vif"), ("script", "/etc/xen/scripts/vif-gnt-com"),
        }.Concat(env).ToArray());

    public void Dispose()
    {
        Store.Dispose();
        Guest.Dispose();
        Host.Dispose();
    }
}
