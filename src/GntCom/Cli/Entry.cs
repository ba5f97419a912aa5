using System;
using System.Reflection;
using GntCom.Config;
using GntCom.Logging;

namespace GntCom.Cli;

/// <summary>
/// The frame every executable's Main runs in: logging set up first, expected failures
/// turned into one "PROGRAM: error: ..." line and an exit code, anything unexpected
/// reported by type rather than as a stack trace.
/// Exit codes: 0 success, 1 failure, 2 bad input or usage, 70 internal error.
/// </summary>
public static class Entry
{
    public const int Ok = 0, Failure = 1, Usage = 2, Internal = 70;

    public static int Run(string program, Func<int> body)
    {
        Log.Init(program);
        try
        {
            return body();
        }
        catch (InvalidInputException e)
        {
            Log.Error(e.Message);
            return Usage;
        }
        catch (GntComException e)
        {
            Log.Error(e.Message);
            return Failure;
        }
        catch (Exception e)
        {
            Log.Error("internal error: " + e.GetType().Name + ": " + e.Message);
            return Internal;
        }
        finally
        {
            Log.Shutdown();
        }
    }

    /// <summary>Loads the config (explicit path, $GNT_COM_CONF or the default) and points syslog where it says.</summary>
    public static GntComConfig LoadConfig(string? path)
    {
        var cfg = GntComConfig.Load(path);
        Log.SetSyslogSocket(cfg.SyslogSocket);
        return cfg;
    }

    public static string Version =>
        typeof(Entry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
        ?? "0.0.0";

    /// <summary>Writes to stdout without System.Console (which a hypervisor call would pay for at start-up).</summary>
    public static void Print(string text) => Interop.Libc.WriteAll(1, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>An environment variable, null when unset or empty.</summary>
    public static string? Env(string name)
    {
        string? v = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrEmpty(v) ? null : v;
    }
}
