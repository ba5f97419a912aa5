using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using GntCom.Config;
using GntCom.State;

namespace GntCom.Hooks;

/// <summary>A channel's hooks: HOOKS_DIR/ifup.d when it comes up, HOOKS_DIR/ifdown.d when it goes.</summary>
public static class ChannelHooks
{
    private static string UpDir(GntComConfig cfg) => Path.Combine(cfg.HooksDir, "ifup.d");
    private static string DownDir(GntComConfig cfg) => Path.Combine(cfg.HooksDir, "ifdown.d");

    /// <summary>Whether any ifup hook would run (one directory listing; none is the common case).</summary>
    public static bool AnyUp(GntComConfig cfg) => HookRunner.List(UpDir(cfg)).Count > 0;

    /// <summary>The ifup hooks; the first failure or refusal throws (the set-up is undone).</summary>
    public static void Up(GntComConfig cfg, ChannelRecord r, HookCaller caller, Action<int, ulong>? started) =>
        HookRunner.RunAll(UpDir(cfg), Environment(r, "up", caller.Extra), cfg.HookTimeout, mustSucceed: true, started, caller.InheritsEnvironment);

    /// <summary>The ifdown hooks; failures are logged and the rest run.</summary>
    public static void Down(GntComConfig cfg, ChannelRecord r, HookCaller caller, Action<int, ulong>? started = null) =>
        HookRunner.RunAll(DownDir(cfg), Environment(r, "down", caller.Extra), cfg.HookTimeout, mustSucceed: false, started, caller.InheritsEnvironment);

    /// <summary>The hooks' environment: Ganeti's NIC variables plus GntCom's own.</summary>
    public static Dictionary<string, string> Environment(ChannelRecord r, string action, IReadOnlyDictionary<string, string>? extra)
    {
        var env = new Dictionary<string, string>();
        if (extra != null) foreach (var (k, v) in extra) env[k] = v;
        env["INTERFACE"] = r.Name;
        env["MODE"] = "routed";
        env["IP"] = r.Ip.ToString();
        env["MAC"] = r.Mac;
        env["INSTANCE"] = r.Instance ?? "";
        env["ACTION"] = action;
        env["GNT_COM_ORIGINAL_INTERFACE"] = r.Original;
        env["GNT_COM_KIND"] = r.KindName;
        env["GNT_COM_IFINDEX"] = r.Index.ToString(CultureInfo.InvariantCulture);
        return env;
    }
}
