using System;
using System.Collections.Generic;
using System.Net;
using GntCom.Inputs;
using GntCom.Net;
using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// Channel names and who holds what: the name an interface gets (kept, asked for, reserved,
/// or the lowest free N), and whether a guest IP or MAC is already taken. Each question is
/// answered from one directory listing or one file named by what is asked, never by
/// reading every record.
/// </summary>
internal sealed class Naming
{
    private readonly Node _n;
    private readonly Func<string, bool> _recordedAndAlive;

    /// <param name="recordedAndAlive">Whether a name's record stands for a live interface (a vanished guest's does not hold its name).</param>
    public Naming(Node n, Func<string, bool> recordedAndAlive)
    {
        _n = n;
        _recordedAndAlive = recordedAndAlive;
    }

    /// <summary>The name the interface will carry, and the reservation that backs it, if any.</summary>
    public (string Name, Reservation? Reservation) Choose(Link link, ChannelRequest req)
    {
        var cfg = _n.Cfg;
        if (req.DesiredName != null)
        {
            string want = req.DesiredName;
            if (!cfg.IsChannelName(want))
                throw new InvalidInputException("name " + Quote.Value(want) + " is not a channel name (" + cfg.InterfacePrefix + "N)");
            if (want != link.Name && _n.Nl.LinkByName(want) != null)
            {
                if (!req.FallBackName)
                    throw new GntComException("cannot name " + link.Name + " " + want + ": another interface already has that name");
                return cfg.IsChannelName(link.Name) ? (link.Name, null) : (NextFreeName(), null);
            }
            return (want, _n.Store.Reservation(want));
        }
        if (cfg.IsChannelName(link.Name))
            return (link.Name, _n.Store.Reservation(link.Name));

        // A reservation made for this guest (same IP and MAC) names its interface.
        if (req.Ip != null && _n.Store.ClaimOwner(ClaimKind.Ip, req.Ip.ToString()) is string owner
            && _n.Store.Reservation(owner) is Reservation mine && mine.Mac == req.Mac)
        {
            if (_n.Nl.LinkByName(mine.Name) != null)
                throw new GntComException("cannot name " + link.Name + " " + mine.Name + " (reserved for " + mine.Ip + "): another interface already has that name");
            return (mine.Name, mine);
        }
        return (NextFreeName(), null);
    }

    /// <summary>
    /// The lowest N whose prefix+N is neither recorded for a live interface, nor reserved,
    /// nor an interface (the caller forgets a vanished guest's record in the way):
    /// probed upwards from the store's hint (below which every number is taken), each
    /// candidate by name, so the cost does not grow with the number of guests.
    /// </summary>
    public string NextFreeName()
    {
        var cfg = _n.Cfg;
        for (int i = _n.Store.NameHints().Low; i <= cfg.MaxIndex; i++)
        {
            string name = cfg.ChannelName(i);
            if ((_n.Store.RecordExists(name) && _recordedAndAlive(name)) || _n.Store.ReservationExists(name)) continue;
            if (_n.Nl.LinkByName(name) != null) continue;
            _n.Store.LowestFreeFound(i);
            return name;
        }
        throw new GntComException("no free channel name left (" + cfg.InterfacePrefix + "0.." + cfg.MaxIndex + ")");
    }

    /// <summary>
    /// Who already holds <paramref name="ip"/> or <paramref name="mac"/>, other than
    /// <paramref name="name"/>: the records (which the caller checks are alive) and the
    /// reservations in the way. Claims whose holder no longer exists are dropped.
    /// </summary>
    public List<(ClaimKind Kind, string Value, string Holder, bool IsRecord)> Holders(IPAddress ip, string mac, string name)
    {
        var found = new List<(ClaimKind, string, string, bool)>();
        foreach (var (kind, value) in new[] { (ClaimKind.Ip, ip.ToString()), (ClaimKind.Mac, mac) })
        {
            string? holder = _n.Store.ClaimOwner(kind, value);
            if (holder == null || holder == name) continue;
            if (_n.Store.Record(holder) is ChannelRecord r && (kind == ClaimKind.Ip ? r.Ip.Equals(ip) : r.Mac == mac))
                found.Add((kind, value, holder, true));
            else if (_n.Store.Reservation(holder) is Reservation res && (kind == ClaimKind.Ip ? res.Ip.Equals(ip) : res.Mac == mac))
                found.Add((kind, value, holder, false));
            else
                _n.Store.DeleteClaim(kind, value); // its holder is gone (a killed run, or a bug): not a holder
        }
        return found;
    }
}
