using System;
using System.Collections;
using System.Collections.Generic;
using GntCom;
using GntCom.Channel;
using GntCom.Cli;
using GntCom.Config;
using GntCom.Inputs;
using Mono.Unix.Native;

namespace GntCom.Kvm;

/// <summary>
/// gnt-com-ifup / gnt-com-ifdown: qemu's tap script=/downscript= and Ganeti's NIC script
/// protocol (see <see cref="NicCall"/>). Ganeti calls one script for both directions:
/// gnt-com-ifup honours ACTION=down.
/// </summary>
internal static class TapScript
{
    public static int Execute(string program, string[] args, bool down) =>
        Entry.Run(program, () => Run(program, args, down));

    private static int Run(string program, string[] args, bool isDownScript)
    {
        string? configPath = null;
        string? ifname = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    Entry.Print(Usage(program));
                    return Entry.Ok;
                case "--version":
                    Entry.Print(program + " " + Entry.Version + "\n");
                    return Entry.Ok;
                case "--config" when i + 1 < args.Length:
                    configPath = args[++i];
                    break;
                default:
                    if (args[i].StartsWith('-') || ifname != null)
                        throw new InvalidInputException("unexpected argument " + Quote.Value(args[i]) + " (see --help)");
                    ifname = args[i];
                    break;
            }
        }

        // The config first: it says where errors about the other inputs are logged.
        var cfg = Entry.LoadConfig(configPath);
        var call = NicCall.Parse(cfg, Environment(), ifname, isDownScript);
        if (call.Action == NicAction.Ignore) return Entry.Ok;
        int owner = Syscall.getppid();
        using var channels = Channels.Open(cfg);
        if (call.Action == NicAction.Down)
        {
            channels.Down(new DownRequest { Interface = call.Interface, Owner = owner, Ip = call.Ip, Mac = call.Mac });
            return Entry.Ok;
        }
        channels.Up(new ChannelRequest
        {
            Interface = call.Interface, Ip = call.Ip, Mac = call.Mac, Instance = call.Instance,
            Kind = GntCom.State.ChannelKind.Tap, Owner = owner,
        });
        return Entry.Ok;
    }

    private static Dictionary<string, string> Environment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in System.Environment.GetEnvironmentVariables())
            if (e.Key is string k && e.Value is string v) env[k] = v;
        return env;
    }

    private static string Usage(string program) =>
        "usage: " + program + " [--config FILE] [IFNAME]\n\n" +
        "qemu:   -netdev tap,ifname=IF,script=gnt-com-ifup,downscript=gnt-com-ifdown\n" +
        "        runs '" + program + " IF'; the guest's IP and MAC come from the environment\n" +
        "        (IP=, MAC=, INSTANCE=) or from a reservation made with 'gnt-com allocate'.\n" +
        "Ganeti: no IFNAME; INTERFACE, MODE, IP, MAC, INSTANCE and ACTION (up/down) come\n" +
        "        from the environment. Only MODE=routed on a channel interface is handled.\n\n" +
        (program.EndsWith("ifdown", StringComparison.Ordinal)
            ? "Tears the channel down: hooks, DHCP entry, route, address, state. Succeeds when it is already gone.\n"
            : "Makes IF a channel interface: names it gnt.com.N, brings it up with 169.254.169.254/32,\n" +
              "routes the guest's IP to it, hardens it, adds the DHCP entry, runs the hooks.\n") +
        "\nConfig: --config, $GNT_COM_CONF or " + GntComConfig.DefaultPath + ". See " + program + "(8).\n";
}
