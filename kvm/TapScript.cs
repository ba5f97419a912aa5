using System;
using GntCom;
using GntCom.Channel;
using GntCom.Cli;
using GntCom.Config;
using GntCom.Inputs;
using Mono.Unix.Native;

namespace GntCom.Kvm;

/// <summary>
/// gnt-com-ifup / gnt-com-ifdown: qemu's tap script=/downscript= (`SCRIPT IFNAME`, IP and
/// MAC in the inherited environment or reserved with `gnt-com allocate`) and Ganeti's NIC
/// script protocol (no argument; INTERFACE, MODE, IP, MAC, INSTANCE, ACTION in the
/// environment). Ganeti calls one script for both directions: gnt-com-ifup honours
/// ACTION=down. A NIC whose MODE is not `routed`, or (Ganeti) whose interface is not a
/// channel interface, is left alone: exit 0, nothing touched.
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
                    Console.Out.Write(Usage(program));
                    return Entry.Ok;
                case "--version":
                    Console.Out.WriteLine(program + " " + Entry.Version);
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
        bool ganeti = ifname == null;
        bool down = isDownScript;
        if (!isDownScript)
        {
            string? action = Entry.Env("ACTION");
            down = action switch
            {
                null or "up" => false,
                "down" => true,
                _ => throw new InvalidInputException("ACTION " + Quote.Value(action) + " must be up or down"),
            };
        }
        string? mode = Entry.Env("MODE");
        if (ganeti)
        {
            ifname = Entry.Env("INTERFACE")
                ?? throw new InvalidInputException("no interface: pass IFNAME (qemu) or set INTERFACE (Ganeti); see --help");
            if (mode == null) throw new InvalidInputException("MODE is not set (Ganeti passes it; 'routed' for the channel)");
        }
        ifname = Names.Interface(ifname, ganeti ? "INTERFACE" : "interface");
        if (mode != null && mode != "routed") return Entry.Ok; // a bridged/openvswitch NIC: not ours

        if (ganeti && !cfg.IsChannelName(ifname)) return Entry.Ok; // a routed NIC that is not the channel
        int owner = Syscall.getppid();

        if (down)
        {
            using var channels = new Channels(cfg);
            channels.Down(ifname, owner);
            return Entry.Ok;
        }

        var request = new ChannelRequest
        {
            Interface = ifname,
            Ip = Entry.Env("IP") is string ip ? cfg.GuestIp(ip, "IP") : null,
            Mac = Entry.Env("MAC") is string mac ? MacAddress.Parse(mac, "MAC") : null,
            Instance = Names.Instance(Entry.Env("INSTANCE"), "INSTANCE"),
            Kind = GntCom.State.ChannelKind.Tap,
            Owner = owner,
        };
        using (var channels = new Channels(cfg))
            channels.Up(request);
        return Entry.Ok;
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
            : "Makes IF a channel interface: names it " + "gnt.com.N, brings it up with 169.254.169.254/32,\n" +
              "routes the guest's IP to it, hardens it, adds the DHCP entry, runs the hooks.\n") +
        "\nConfig: --config, $GNT_COM_CONF or " + GntComConfig.DefaultPath + ".\n";
}
