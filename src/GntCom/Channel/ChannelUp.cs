using System.Collections.Generic;
using System.Net;
using GntCom.Hooks;
using GntCom.Inputs;
using GntCom.Journaling;
using GntCom.Logging;
using GntCom.Net;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// An up: what the interface becomes (its name, the guest's IP, MAC and instance, from the
/// request or a reservation), who else holds any of it, whether the interface may become a
/// channel at all, then the set-up of every part of <see cref="ConfiguredChannel"/> as one
/// transaction. An interface that is already the channel it is asked to be changes nothing.
/// </summary>
internal sealed class ChannelUp
{
    private readonly Node _n;
    private readonly Naming _naming;
    private readonly Healer _healer;

    public ChannelUp(Node n, Naming naming, Healer healer)
    {
        _n = n;
        _naming = naming;
        _healer = healer;
    }

    /// <summary>Makes the request's interface a configured channel interface; returns its record.</summary>
    public ChannelRecord Run(ChannelRequest req)
    {
        var link = _n.Nl.LinkByName(req.Interface);
        if (link == null)
        {
            // online run again for a vif renamed by the first run
            if (req.DesiredName != null && RecordOf(req.DesiredName) is ChannelRecord done && done.Original == req.Interface && _healer.IsAlive(done))
                return AlreadyUp(done, req, null);
            throw new GntComException("interface " + Quote.Value(req.Interface) + " does not exist");
        }
        VifNote? note = null;
        if (_n.Cfg.IsChannelName(link.Name) && RecordOf(link.Name) is ChannelRecord existing)
        {
            if (existing.Index != link.Index || existing.Pending)
                _healer.Forget(existing, new Repairs(log: true)); // the name now belongs to another interface
            else if (existing.Restored && existing.Backend != null && Differs(req, existing))
                (link, note) = Readdress(link, existing, req);
            else return AlreadyUp(existing, req, link);
        }
        note ??= _n.Store.Note(link.Index);
        if (note != null && note.Name != link.Name) note = null;
        return SetUp(link, req, note);
    }

    private ChannelRecord SetUp(Link link, ChannelRequest req, VifNote? note)
    {
        var (name, reservation) = _naming.Choose(link, req);
        if (name != link.Name && RecordOf(name) is ChannelRecord stale)
            _healer.Forget(stale, new Repairs(log: true)); // no interface has that name: its guest vanished

        IPAddress ip = req.Ip ?? reservation?.Ip
            ?? throw new InvalidInputException("no IP for " + Quote.Value(req.Interface) + ": set IP or reserve " + name + " with 'gnt-com allocate'");
        string mac = req.Mac ?? reservation?.Mac
            ?? throw new InvalidInputException("no MAC for " + Quote.Value(req.Interface) + ": set MAC or reserve " + name + " with 'gnt-com allocate'");
        if (reservation != null && (!reservation.Ip.Equals(ip) || reservation.Mac != mac))
            throw new InvalidInputException(name + " is reserved for " + reservation.Ip + " " + reservation.Mac + ", not " + ip + " " + mac);
        CheckHolders(ip, mac, name);
        var routes = Eligibility.Check(_n, link, ip, upByUs: note != null);

        var record = new ChannelRecord
        {
            Name = name, Original = note?.Original ?? link.Name, Index = link.Index, Ip = ip, Mac = mac,
            Instance = req.Instance ?? reservation?.Instance,
            // A vif brought online by vif-gnt-com says so in its note; otherwise the driver tells.
            Kind = note != null || req.Kind == ChannelKind.Vif || link.Kind != "tun" ? ChannelKind.Vif : ChannelKind.Tap,
            Owner = (note?.Backend ?? req.Backend) != null ? 0 : req.Owner,
            Backend = note?.Backend ?? req.Backend, Restored = req.Restored,
            Vifname = req.DesiredName != null && req.DesiredName != name ? req.DesiredName : null,
        };
        if (record.Vifname != null) Log.Warn(req.Interface + ": vifname " + record.Vifname + " is another interface's: the channel is " + name);
        using var tx = Transaction.Begin(_n, record.Name, ChannelHeader.Of(record), HookCaller.Caller(req.HookEnvironment));
        var s = new SetUp(tx, link, record, routes) { Reservation = reservation, Note = note };
        tx.Run(() => ConfiguredChannel.Configure(s, ConfiguredChannel.Parts));
        Log.Info("up " + s.Record.Describe() + (req.Prepared ? " (ready for its live migration)" : ""));
        _n.Dhcp.WarnRivals(_n.Nl, s.Record.Name);
        if (!req.Prepared) Announce(s.Link);
        return s.Record;
    }

    /// <summary>
    /// A restarted Xen domain got its old channel back at online; Ganeti's xen-ifup-os now
    /// says what the guest's address is: the channel takes it. What can refuse the new
    /// address is asked before the old one goes, and the vif is left as an online without
    /// an IP leaves one (renamed, up, a note), so a set-up that fails or is killed after
    /// this waits for the next xen-ifup-os rather than leaving an interface nobody records.
    /// </summary>
    private (Link, VifNote) Readdress(Link link, ChannelRecord existing, ChannelRequest req)
    {
        CheckHolders(req.Ip ?? existing.Ip, req.Mac ?? existing.Mac, existing.Name);
        Log.Info("re-addressing " + existing.Describe() + " to " + (req.Ip ?? existing.Ip) + " " + (req.Mac ?? existing.Mac));
        var note = new VifNote(link.Index, existing.Name, existing.Original, existing.Backend!);
        _n.Store.Save(note);
        ConfiguredChannel.TearDown(_n, existing, HookCaller.Caller(req.HookEnvironment), guestOnly: true);
        return (_n.Nl.LinkByIndex(link.Index) ?? throw new GntComException("interface " + existing.Name + " vanished"), note);
    }

    private static bool Differs(ChannelRequest req, ChannelRecord existing) =>
        (req.Ip != null && !req.Ip.Equals(existing.Ip)) || (req.Mac != null && req.Mac != existing.Mac);

    private ChannelRecord AlreadyUp(ChannelRecord existing, ChannelRequest req, Link? link)
    {
        if (Differs(req, existing))
            throw new GntComException(Quote.Value(req.Interface) + " is already the channel interface " + existing.Name
                + " of " + existing.Ip + " " + existing.Mac + "; take it down first");
        Log.Info("already up " + existing.Describe());
        if (link == null) return existing;
        // Ganeti's up after a live migration finds the channel prepared (by GntCom's udev
        // rule, which may not start dnsmasq): DHCP is brought in step, and the guest, which
        // runs here now, is told where the channel is.
        try
        {
            _n.Dhcp.Add(existing);
        }
        catch (GntComException e) when (!_n.Cfg.DhcpRequired)
        {
            _n.Dhcp.RecordError(e.Message);
            Log.Error("DHCP for " + existing.Name + " failed: " + e.Message);
        }
        Announce(link);
        return existing;
    }

    /// <summary>
    /// Tells a guest that may have cached another MAC for the channel address (it came from
    /// another node, or its interface changed MAC) where the address is now: one gratuitous
    /// ARP. Never fails the up.
    /// </summary>
    private void Announce(Link link)
    {
        if (!link.IsUp || link.Mac == null) return;
        int errno = Arp.Announce(link.Index, link.Mac, _n.Cfg.Address);
        if (errno != 0) Log.Warn("could not announce " + _n.Cfg.Address + " on " + link.Name + ": " + Interop.Errno.Describe(errno));
    }

    /// <summary>Refuses an IP or MAC held by a live channel or a reservation; a holder whose interface vanished is forgotten first.</summary>
    public void CheckHolders(IPAddress ip, string mac, string name)
    {
        foreach (var (kind, value, holder, isRecord) in _naming.Holders(ip, mac, name))
        {
            string what = (kind == ClaimKind.Ip ? "IP " : "MAC ") + value;
            if (!isRecord)
                throw new GntComException(what + " is reserved for " + holder
                    + (_n.Store.Reservation(holder)?.Instance is string ri ? " (instance " + ri + ")" : ""));
            var record = RecordOf(holder);
            if (record == null) continue;
            if (!_healer.IsAlive(record))
            {
                _healer.Forget(record, new Repairs(log: true));
                continue;
            }
            throw new GntComException(what + " is already the guest " + (kind == ClaimKind.Ip ? "IP" : "MAC") + " of " + holder
                + (record.Instance != null ? " (instance " + record.Instance + ")" : ""));
        }
    }

    /// <summary>The record of <paramref name="name"/>, null when it is no channel name or has none (a corrupt one throws, naming it).</summary>
    public ChannelRecord? RecordOf(string name) => _n.Cfg.IsChannelName(name) ? _n.Store.Record(name) : null;
}
