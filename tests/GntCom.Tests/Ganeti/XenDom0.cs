using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GntCom.Tests.Infrastructure;
using GntCom.Tests.Xen;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// A Xen dom0 that Ganeti drives: a node, our xenstore server, and per domain a veth pair
/// standing in for netback (host end vifD.N, created down; its peer eth0 in the guest's
/// namespace). <see cref="Create"/> does what Ganeti's config and `xl create` leave
/// behind for the channel NIC before the hotplug script runs; <see cref="Hotplug"/> runs
/// the vif script as libxl does.
/// </summary>
public sealed class XenDom0 : IDisposable
{
    public XenDom0(GanetiSite site, string role = "dom0")
    {
        Site = site;
        Node = site.Node(role);
        try
        {
            Store = new XenstoreServer(Path.Combine(site.Sandbox.Dir, role + "-xenstored.socket"));
        }
        catch
        {
            Node.Dispose();
            throw;
        }
    }

    public GanetiSite Site { get; }
    public GanetiNode Node { get; }
    public XenstoreServer Store { get; }

    /// <summary>A domain's channel vif: netback's name, the vifname Ganeti asked for, and the guest behind it.</summary>
    public sealed record Domain(int DomId, int DevId, string Vif, string VifName, GuestVm Guest)
    {
        public string Backend => "/local/domain/0/backend/vif/" + DomId + "/" + DevId;
    }

    private readonly List<GuestVm> _guests = new();

    /// <summary>
    /// Ganeti's _WriteNicConfig names the channel vif (GenerateTapName) and writes
    /// `mac=.., vifname=gnt.com.N, script=..` with no ip=; libxl writes the backend nodes
    /// (bridge defaults to xenbr0, hotplug-status ""); netback creates vifD.N.
    /// </summary>
    public Domain Create(int domId, Nic nic, int devId = 0, string? vifname = null)
    {
        // A restarted domain (on_reboot = 'restart') keeps its config's vifname.
        vifname ??= Node.GenerateTapName();
        string vif = "vif" + domId + "." + devId;
        var guest = new GuestVm(Node, vif, nic.Mac);
        _guests.Add(guest);
        return WriteBackend(new Domain(domId, devId, vif, vifname, guest), nic);
    }

    /// <summary>
    /// The target of a live migration (`xl migrate-receive`): libxl creates domain
    /// <paramref name="domId"/> with the source's vif spec (Ganeti's vifname, the MAC, no
    /// ip=) and netback a new vif for it; the guest, its interface and its neighbour cache
    /// are the same (its host end is moved here, <see cref="GuestVm.MoveHostEnd"/>).
    /// </summary>
    public Domain Receive(int domId, Nic nic, Domain from, int devId = 0)
    {
        string vif = "vif" + domId + "." + devId;
        from.Guest.MoveHostEnd(Node, vif, "fe:ff:ff:ff:ff:ff");
        return WriteBackend(new Domain(domId, devId, vif, from.VifName, from.Guest), nic);
    }

    private Domain WriteBackend(Domain d, Nic nic)
    {
        int domId = d.DomId, devId = d.DevId;
        string vifname = d.VifName;
        Store.Write("/local/domain/" + domId + "/name", nic.Instance);
        foreach (var (key, value) in new[]
        {
            ("frontend", "/local/domain/" + domId + "/device/vif/" + devId), ("frontend-id", domId.ToString()),
            ("online", "1"), ("state", "2"), ("script", Site.VifScript), ("mac", nic.Mac), ("vifname", vifname),
            ("bridge", "xenbr0"), ("type", "vif"), ("handle", devId.ToString()), ("hotplug-status", ""),
        })
            Store.Write(d.Backend + "/" + key, value);
        return d;
    }

    /// <summary>
    /// libxl's hotplug call: `SCRIPT ACTION type_if=vif` (argv[0] the store's `script`),
    /// xl's environment (the node daemon's, LC_ALL=C, no /sbin added) plus script,
    /// XENBUS_TYPE, XENBUS_PATH (relative), XENBUS_BASE_PATH, netdev (no gatewaydev: empty)
    /// and vif=vifD.N; stdin /dev/null, stdout onto stderr; noded's umask (xl is its child). XENSTORED_PATH points
    /// libxenstore at our server; GNT_COM_CONF names the installed config, which outside
    /// the default /etc layout the admin sets for xl (README: Install).
    /// </summary>
    public ProcResult Hotplug(string action, Domain d)
    {
        // libxl keeps the script from the domain's config: on offline the store's copy is gone.
        string script = Site.VifScript;
        var env = GanetiCallers.NodeDaemonEnvironment();
        env["PATH"] = "/usr/bin:/bin";
        env["GNT_COM_CONF"] = Site.ConfigPath;
        env["XENSTORED_PATH"] = Store.SocketPath;
        env["script"] = script;
        env["XENBUS_TYPE"] = "vif";
        env["XENBUS_PATH"] = "backend/vif/" + d.DomId + "/" + d.DevId;
        env["XENBUS_BASE_PATH"] = "backend";
        env["netdev"] = "";
        env["vif"] = d.Vif;
        return Node.Ns.Exec("/bin/sh", GanetiCallers.AsNodeDaemon(env,
            "/bin/sh", "-c", "exec \"$0\" \"$@\" </dev/null 1>&2", script, action, "type_if=vif"));
    }

    /// <summary>netback unregisters the domain's vif (the domain is gone), whatever it is called now.</summary>
    public void Unregister(Domain d) => Node.Ns.Ip("link", "del", "dev", d.Guest.CurrentHostEnd());

    /// <summary>libxl removes the vif's backend directory (after netback removed the vif).</summary>
    public void RemoveBackend(Domain d) => Store.Remove(d.Backend);

    /// <summary>
    /// The domain ends (xl destroy, shutdown, a reboot, network-detach) in Xen 4.17's real
    /// order, as make e2e's probe script saw it under the real Xen: netback removes the vif
    /// first; the backend directory is still there at offline (state 6, closed; no
    /// hotplug-status), and libxl removes it once offline ran. <paramref name="backendGoneFirst"/>:
    /// the directory is gone before offline too (REFERENCE §7 as written): GntCom must not
    /// depend on either.
    /// </summary>
    public ProcResult Destroy(Domain d, bool backendGoneFirst = false)
    {
        Unregister(d);
        if (backendGoneFirst) RemoveBackend(d);
        else
        {
            Store.Write(d.Backend + "/state", "6");
            Store.Remove(d.Backend + "/hotplug-status");
        }
        var offline = Hotplug("offline", d);
        RemoveBackend(d);
        return offline;
    }

    public void Dispose()
    {
        foreach (var g in _guests) g.Dispose();
        Store.Dispose();
        Node.Dispose();
    }
}
