using System.Collections.Generic;
using System.Net;
using GntCom.Config;

namespace GntCom.Inputs;

/// <summary>What a NIC script call is for.</summary>
public enum NicAction { Up, Down, Ignore }

/// <summary>
/// A gnt-com-ifup / gnt-com-ifdown call as the two callers make it, checked:
/// qemu's `script=`/`downscript=` (`SCRIPT IFNAME`; IP, MAC, INSTANCE from the inherited
/// environment or a reservation) and Ganeti's NIC-script protocol (no IFNAME; INTERFACE,
/// MODE, IP, MAC, INSTANCE in the environment; master adds ACTION=up|down and, on a
/// migration target, MIGRATION_PHASE). A NIC whose MODE is not `routed`, or (Ganeti) whose
/// interface is not a channel interface, is not GntCom's: <see cref="NicAction.Ignore"/>.
/// </summary>
public sealed record NicCall(NicAction Action, string Interface, bool FromGaneti, IPAddress? Ip, string? Mac, string? Instance)
{
    /// <summary>Parses the call; <paramref name="ifname"/> is argv's IFNAME (null for Ganeti), <paramref name="isDownScript"/> says which executable runs.</summary>
    public static NicCall Parse(GntComConfig cfg, IReadOnlyDictionary<string, string> env, string? ifname, bool isDownScript)
    {
        string? Env(string name) => env.TryGetValue(name, out var v) && v.Length > 0 ? v : null;
        bool ganeti = ifname == null;
        bool down = isDownScript;
        if (!isDownScript)
        {
            string? requested = Env("ACTION");
            down = requested switch
            {
                null or "up" => false,
                "down" => true,
                _ => throw new InvalidInputException("ACTION " + Quote.Value(requested) + " must be up or down"),
            };
        }
        if (Env("MIGRATION_PHASE") is string phase && phase is not ("pre" or "post"))
            throw new InvalidInputException("MIGRATION_PHASE " + Quote.Value(phase) + " must be pre or post");
        string? mode = Env("MODE");
        if (ganeti)
        {
            ifname = Env("INTERFACE")
                ?? throw new InvalidInputException("no interface: pass IFNAME (qemu) or set INTERFACE (Ganeti); see --help");
            if (mode == null) throw new InvalidInputException("MODE is not set (Ganeti passes it; 'routed' for the channel)");
        }
        ifname = Names.Interface(ifname, ganeti ? "INTERFACE" : "interface");
        var action = down ? NicAction.Down : NicAction.Up;
        if (mode != null && mode != "routed") action = NicAction.Ignore; // a bridged/openvswitch NIC: not ours
        else if (ganeti && !cfg.IsChannelName(ifname)) action = NicAction.Ignore; // a routed NIC that is not the channel
        if (action == NicAction.Ignore) return new NicCall(action, ifname, ganeti, null, null, null);
        return new NicCall(action, ifname, ganeti,
            Env("IP") is string ip ? cfg.GuestIp(ip, "IP") : null,
            Env("MAC") is string mac ? MacAddress.Parse(mac, "MAC") : null,
            Names.Instance(Env("INSTANCE"), "INSTANCE"));
    }
}
