using GntCom.Hooks;
using GntCom.Inputs;
using GntCom.Journaling;
using GntCom.Logging;
using GntCom.Net;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// Xen's channel vifs beyond an ordinary up: the Ganeti form (vifname=gnt.com.N, no ip=)
/// brought online before anyone knows the guest's IP, a restarted domain's vif that gets its
/// channel back, and offline, which libxl runs after netback removed the vif.
/// </summary>
internal sealed class XenVifs
{
    private readonly Node _n;
    private readonly ChannelUp _up;
    private readonly ChannelDown _down;

    public XenVifs(Node n, ChannelUp up, ChannelDown down)
    {
        _n = n;
        _up = up;
        _down = down;
    }

    /// <summary>
    /// A Ganeti channel vif with no guest IP anywhere. A restarted domain's vif gets its
    /// channel back from memory, a live-migrated domain's vif from what Ganeti's migrate hook
    /// said was coming; any other is renamed to <paramref name="vifname"/>, brought up and
    /// left a note, so that Ganeti's xen-ifup-os (gnt-com-ifup) later records it as a Xen
    /// vif. Returns the final name.
    /// </summary>
    public string Online(string dev, string vifname, string backend, string? mac)
    {
        if (Restore(dev, vifname, backend, mac) is string restored) return restored;
        if (Arrive(dev, vifname, backend, mac) is string arrived) return arrived;
        var link = _n.Nl.LinkByName(dev);
        if (link == null)
        {
            if (_n.Nl.LinkByName(vifname) is Link done && _n.Store.Note(done.Index) is VifNote n0 && n0.Original == dev) return vifname;
            throw new GntComException("interface " + Quote.Value(dev) + " does not exist");
        }
        if (!_n.Cfg.IsChannelName(vifname))
            throw new InvalidInputException("vifname " + Quote.Value(vifname) + " is not a channel name (" + _n.Cfg.InterfacePrefix + "N)");
        Eligibility.Check(_n, link, null);
        if (_n.Nl.LinkByName(vifname) is Link taken && taken.Index != link.Index)
        {
            // A Xen live migration's target may have the source's vifname in use already.
            // Ganeti sets the channel up later by that name (xen-ifup-os), which refuses an
            // interface that is not this guest's: here the vif only keeps its own name and
            // comes up, and the domain is not failed for it.
            using var upOnly = Transaction.Begin(_n, "routed-" + link.Index, new RoutedHeader(link.Index, link.Name), HookCaller.Caller());
            upOnly.Run(() => link = LinkUpStep.Do(upOnly, link));
            Log.Error("online " + dev + ": vifname " + vifname + " is taken by another interface: " + dev
                + " keeps its name and gets no channel (the guest's channel is not set up on this node)");
            return dev;
        }
        using var tx = Transaction.Begin(_n, vifname, new RoutedHeader(link.Index, vifname), HookCaller.Caller());
        tx.Run(() =>
        {
            link = LinkUpStep.Do(tx, RenameStep.Do(tx, link, vifname));
            NoteNewStep.Do(tx, new VifNote(link.Index, vifname, dev, backend));
        });
        Log.Info("online " + vifname + " (was " + dev + "): channel vif up; no guest IP known yet, Ganeti's xen-ifup-os completes it");
        return vifname;
    }

    /// <summary>
    /// A restarted domain's channel vif (same vifname and MAC as a channel that went within
    /// <see cref="VifMemory.Lifetime"/>) gets that channel back: IP, route, DHCP entry, hooks.
    /// Returns its name, or null when there is nothing to restore or it cannot be (then the
    /// vif only comes up, as without a memory).
    /// </summary>
    private string? Restore(string dev, string vifname, string backend, string? mac)
    {
        if (!_n.Cfg.IsChannelName(vifname) || _n.Store.Memory(vifname) is not VifMemory memory) return null;
        if (memory.IsExpired(VifMemory.Now) || mac != memory.Mac)
        {
            if (memory.IsExpired(VifMemory.Now)) _n.Store.DeleteMemory(vifname);
            return null;
        }
        string? name = UpKnown(dev, vifname, backend, memory.Ip, memory.Mac, memory.Instance, "the restarted domain's channel is back");
        _n.Store.DeleteMemory(vifname);
        return name;
    }

    /// <summary>
    /// A live-migrated domain's channel vif: Ganeti's instance-migrate pre hook told this
    /// node which channel was coming (<see cref="ExpectedChannel"/>, by the guest's MAC).
    /// Returns its name, or null when none was expected or it cannot be set up.
    /// </summary>
    private string? Arrive(string dev, string vifname, string backend, string? mac)
    {
        if (mac == null || _n.Store.Expected(mac) is not ExpectedChannel expected) return null;
        if (expected.IsExpired(VifMemory.Now))
        {
            _n.Store.DeleteExpected(mac);
            return null;
        }
        string? name = UpKnown(dev, vifname, backend, expected.Ip, expected.Mac, expected.Instance, "the migrated instance's channel");
        if (name != null) _n.Store.DeleteExpected(mac);
        return name;
    }

    /// <summary>
    /// Sets a Xen channel vif up whose guest is known from elsewhere than the store: under
    /// <paramref name="vifname"/>, or the next free name when another interface holds it (a
    /// migration's target). Null when it cannot be (the vif then only comes up).
    /// </summary>
    private string? UpKnown(string dev, string vifname, string backend, System.Net.IPAddress ip, string mac, string? instance, string what)
    {
        try
        {
            var record = _up.Run(new ChannelRequest
            {
                Interface = dev, DesiredName = vifname, FallBackName = true, Ip = ip, Mac = mac, Instance = instance,
                Kind = ChannelKind.Vif, Backend = backend, Restored = true,
            });
            Log.Info("online " + record.Name + " (was " + dev + "): " + what + ", " + record.Ip + " " + record.Mac);
            return record.Name;
        }
        catch (GntComException e)
        {
            Log.Warn("online " + dev + ": could not give " + vifname + " " + what + " (" + e.Message + "); Ganeti's xen-ifup-os completes it");
            return null;
        }
    }

    /// <summary>
    /// Offline of a channel vif (libxl's `vif` and XENBUS_PATH): tears down the channel of
    /// this vif, or forgets its note and sets the link down when it never got further. The
    /// channel is recognised by the backend path it recorded (or, without one, by the
    /// kernel's own name for the vif, its bus info "vif-DOM-DEV", or the name libxl gave it),
    /// never by the vifname alone: that may be another guest's by now. With
    /// <paramref name="orRouted"/> (the backend directory is gone, so nothing says what the
    /// vif was), a vif with no channel recorded was a routed vif: this is its offline.
    /// </summary>
    public void Offline(string dev, string? vifname, string backend, RoutedRequest? orRouted)
    {
        string path = XenbusPath.Canonical(backend);
        // A Xen vif's channel is recorded with owner 0 (libxl runs online and offline from
        // different processes): one lookup, never a listing of every origin. (GntCom 0.2
        // recorded libxl's pid: such a channel is left to the udev rule or the round robin.)
        // The vifname's channel may be another guest's (this one's was taken on a migration's
        // target): then the channel libxl's own name for the vif became.
        var byName = vifname != null ? _up.RecordOf(vifname) : null;
        var record = byName != null && IsThisVif(byName, dev, path) ? byName : _down.Find(dev, 0, anyOwner: false) ?? byName;
        if (record != null && IsThisVif(record, dev, path))
        {
            ConfiguredChannel.TearDown(_n, record, HookCaller.Caller());
            Log.Info("offline " + record.Describe());
            return;
        }
        if (DownWithoutChannel(dev, vifname, path, orRouted == null)) return;
        if (orRouted != null)
        {
            // With the vif gone too, a routed vif's routes went with it: nothing is left to do.
            if (_n.Nl.LinkByName(dev) != null) new RoutedVif(_n).Offline(orRouted);
            else Log.Info("offline " + dev + ": the vif and its backend are gone and no channel of it is recorded, nothing to do");
            return;
        }
        Log.Info("offline " + dev + ": no channel of this vif (" + path + ")"
            + (record != null ? "; " + record.Name + " is another guest's, left alone" : "") + ", nothing to do");
    }

    /// <summary>A vif of this backend that only came up (a note, or it kept its name): set down. True when one was.</summary>
    private bool DownWithoutChannel(string dev, string? vifname, string path, bool mayBeKeptName)
    {
        foreach (string? name in new[] { vifname, dev })
        {
            if (name == null || _n.Nl.LinkByName(name) is not Link link) continue;
            if (_n.Store.Note(link.Index) is VifNote note && XenbusPath.Canonical(note.Backend) == path)
            {
                _n.Store.DeleteNote(link.Index);
                NetlinkHandle.IgnoreNotFound(() => _n.Nl.LinkSetDown(link.Index));
                Log.Info("offline " + note.Name + " (was " + note.Original + "): link down");
                return true;
            }
            if (name == dev && link.IsUp && !_n.Cfg.IsChannelName(dev) && mayBeKeptName)
            {
                // It kept its own name (its vifname was taken): it carries no channel.
                NetlinkHandle.IgnoreNotFound(() => _n.Nl.LinkSetDown(link.Index));
                Log.Info("offline " + dev + ": link down (it carried no channel)");
                return true;
            }
        }
        return false;
    }

    private bool IsThisVif(ChannelRecord r, string dev, string path)
    {
        if (r.Backend != null) return XenbusPath.Canonical(r.Backend) == path;
        if (r.Original == dev) return true;
        var link = _n.Nl.LinkByIndex(r.Index);
        return link != null && link.Name == r.Name && Ethtool.BusInfo(r.Name) == XenbusPath.BusInfo(path);
    }
}
