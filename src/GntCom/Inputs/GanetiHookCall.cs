using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using GntCom.Config;

namespace GntCom.Inputs;

/// <summary>An instance's communication NIC as Ganeti's hook environment describes it.</summary>
public sealed record HookNic(int Index, IPAddress Ip, string Mac);

/// <summary>
/// A run of GntCom's Ganeti hook (`gnt-com ganeti hook`), checked: Ganeti's hooks runner
/// gives it a fresh environment of GANETI_* variables (doc/hooks.rst): GANETI_HOOKS_PHASE
/// (pre, post), GANETI_HOOKS_PATH (instance-migrate), GANETI_INSTANCE_NAME,
/// GANETI_OLD_PRIMARY and GANETI_NEW_PRIMARY (node names), GANETI_MIGRATE_CLEANUP, and per
/// NIC n < GANETI_INSTANCE_NIC_COUNT GANETI_INSTANCE_NICn_{IP,MAC,MODE,NAME}. The channel
/// NICs are the routed ones with an IP in the channel network (and, where Ganeti names
/// them, named "ganeti:communication:...").
/// </summary>
public sealed record GanetiHookCall(string Phase, string Path, string? Instance, string? NewPrimary, bool Cleanup, List<HookNic> Channels)
{
    private const string CommunicationNicPrefix = "ganeti:communication:";

    public static GanetiHookCall Parse(GntComConfig cfg, IReadOnlyDictionary<string, string> env)
    {
        string? Env(string name) => env.TryGetValue("GANETI_" + name, out var v) && v.Length > 0 ? v : null;
        string phase = Env("HOOKS_PHASE")
            ?? throw new InvalidInputException("GANETI_HOOKS_PHASE is not set: Ganeti's hooks runner runs 'gnt-com ganeti hook' (see gnt-com(8))");
        if (phase is not ("pre" or "post")) throw new InvalidInputException("GANETI_HOOKS_PHASE " + Quote.Value(phase) + " must be pre or post");
        string path = Env("HOOKS_PATH") ?? "";
        var nics = new List<HookNic>();
        string? count = Env("INSTANCE_NIC_COUNT");
        if (count != null && (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n > 64))
            throw new InvalidInputException("GANETI_INSTANCE_NIC_COUNT " + Quote.Value(count) + " is not a number of NICs");
        for (int i = 0; count != null && i < int.Parse(count, CultureInfo.InvariantCulture); i++)
        {
            string nic = "INSTANCE_NIC" + i.ToString(CultureInfo.InvariantCulture) + "_";
            if (Env(nic + "MODE") != "routed" || Env(nic + "IP") is not string ipText || Env(nic + "MAC") is not string macText) continue;
            if (Env(nic + "NAME") is string name && !name.StartsWith(CommunicationNicPrefix, StringComparison.Ordinal)) continue;
            var ip = Ipv4.Parse(ipText, "GANETI_" + nic + "IP");
            if (!cfg.Network.Contains(ip)) continue; // a routed NIC of another network
            nics.Add(new HookNic(i, cfg.GuestIp(ipText, "GANETI_" + nic + "IP"), MacAddress.Parse(macText, "GANETI_" + nic + "MAC")));
        }
        return new GanetiHookCall(phase, path, Names.Instance(Env("INSTANCE_NAME"), "GANETI_INSTANCE_NAME"),
            Names.Instance(Env("NEW_PRIMARY"), "GANETI_NEW_PRIMARY"), Env("MIGRATE_CLEANUP") == "True", nics);
    }

    /// <summary>
    /// Whether this host is the node <paramref name="node"/> names (Ganeti's node names are
    /// host names, normally fully qualified; the host name may be the short one).
    /// </summary>
    public static bool IsThisNode(string? node, string hostname) =>
        node != null && (node == hostname || node.StartsWith(hostname + ".", StringComparison.Ordinal)
            || hostname.StartsWith(node + ".", StringComparison.Ordinal));
}
