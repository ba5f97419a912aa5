using System.Linq;
using GntCom.Hooks;
using GntCom.Logging;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// A channel's end: a down call (qemu's downscript, Ganeti master's ACTION=down, Xen's
/// offline), which may name the channel or the hypervisor's name before the rename, or the
/// kernel's removal of the interface (GntCom's udev rule), matched by ifindex.
/// </summary>
internal sealed class ChannelDown
{
    private readonly Node _n;
    private readonly ChannelUp _up;

    public ChannelDown(Node n, ChannelUp up)
    {
        _n = n;
        _up = up;
    }

    /// <summary>Tears the channel down; null when there was nothing to tear down (already gone: not an error).</summary>
    public ChannelRecord? Run(DownRequest req)
    {
        var record = Find(req.Interface, req.Owner);
        if (record == null)
        {
            Log.Info("down " + req.Interface + ": no channel state, nothing to do");
            return null;
        }
        if ((req.Ip != null && !req.Ip.Equals(record.Ip)) || (req.Mac != null && req.Mac != record.Mac))
        {
            Log.Warn("down " + req.Interface + ": " + record.Name + " carries " + record.Ip + " " + record.Mac + ", not "
                + (req.Ip?.ToString() ?? record.Ip.ToString()) + " " + (req.Mac ?? record.Mac) + "; nothing done");
            return null;
        }
        ConfiguredChannel.TearDown(_n, record, HookCaller.Caller(req.HookEnvironment));
        Log.Info("down " + record.Describe());
        return record;
    }

    /// <summary>
    /// The kernel removed interface <paramref name="name"/> with ifindex <paramref name="ifindex"/>:
    /// the channel recorded for exactly that interface goes, as a down would take it. A
    /// record whose interface still exists is left alone: racing a down or a new up is harmless.
    /// </summary>
    public ChannelRecord? Removed(string name, int ifindex)
    {
        if (_n.Nl.LinkByIndex(ifindex) != null)
        {
            Log.Info("removed " + name + " (ifindex " + ifindex + "): an interface still has that index, nothing to do");
            return null;
        }
        if (_n.Store.Note(ifindex) is VifNote note)
        {
            _n.Store.DeleteNote(ifindex);
            Log.Info("removed " + note.Name + " (was " + note.Original + "): the Xen vif brought online without an IP is gone");
        }
        var record = _up.RecordOf(name);
        if (record == null || record.Index != ifindex)
        {
            Log.Info("removed " + name + " (ifindex " + ifindex + "): no channel of that interface, nothing to do");
            return null;
        }
        ConfiguredChannel.TearDown(_n, record, HookCaller.Other);
        Log.Info("removed " + record.Describe() + ": its interface is gone");
        return record;
    }

    /// <summary>
    /// The channel a down call names: by its channel name, else by the hypervisor's name it
    /// had for caller <paramref name="owner"/>, else (<paramref name="anyOwner"/>) for anyone, when that is one channel only.
    /// </summary>
    public ChannelRecord? Find(string name, int owner, bool anyOwner = true)
    {
        if (_up.RecordOf(name) is ChannelRecord byName) return byName;
        if (_n.Cfg.IsChannelName(name)) return null; // a channel name is its record's name: none, nothing to find

        var origins = _n.Store.Origins(name, owner, anyOwner);
        if (origins.Count == 1) return _up.RecordOf(origins[0].Name);
        if (origins.Count > 1)
            Log.Warn("down " + name + ": " + origins.Count + " channels were once called so ("
                + string.Join(", ", origins.Select(o => o.Name)) + ") and none belongs to pid " + owner + "; nothing done");
        return null;
    }
}
