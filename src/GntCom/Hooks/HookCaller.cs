using System.Collections.Generic;

namespace GntCom.Hooks;

/// <summary>
/// Whom hooks act for. The caller's own NIC: they inherit the caller's environment (Ganeti's
/// NIC variables) plus <see cref="Extra"/>. Another guest (one whose interface vanished, a
/// killed call's rollback, a udev removal): only GntCom's own variables.
/// </summary>
public sealed record HookCaller(IReadOnlyDictionary<string, string>? Extra, bool InheritsEnvironment)
{
    public static readonly HookCaller Other = new(null, false);

    public static HookCaller Caller(IReadOnlyDictionary<string, string>? extra = null) => new(extra, true);
}
