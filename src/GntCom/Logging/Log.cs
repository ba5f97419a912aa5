using System;
using NLog;
using NLog.Config;

namespace GntCom.Logging;

/// <summary>
/// GntCom's logging: NLog, configured in code (no config-file scan, no layout strings to
/// parse), routed to stderr and to syslog (facility daemon, tag = the program's name).
/// One line per action.
/// </summary>
public static class Log
{
    private static Logger? _logger;
    private static SyslogTarget? _syslog;

    /// <summary>Sets logging up for <paramref name="program"/>; call once, first thing.</summary>
    public static void Init(string program, string syslogSocket = "/dev/log")
    {
        // Done on the calling thread: activating NLog's configuration on a thread of its own
        // (to overlap it with the caller's work) livelocked two threads running class
        // constructors in the AOT runtime.
        // LogManager's factory, not a new one: activating a configuration creates that
        // singleton anyway (NLog reads LogManager.ThrowExceptions and its item factory hangs
        // off it), so a second LogFactory would only double the set-up (~35k instructions).
        // What activation costs in the AOT binaries is cut by NLog.Substitutions.xml.
        var factory = LogManager.LogFactory;
        var config = new LoggingConfiguration(factory);
        _syslog = new SyslogTarget(program, syslogSocket);
        config.AddRule(LogLevel.Info, LogLevel.Fatal, new StderrTarget(program));
        config.AddRule(LogLevel.Info, LogLevel.Fatal, _syslog);
        factory.Configuration = config;
        _logger = factory.GetLogger(program);
    }

    /// <summary>Points the syslog copy at another socket ("" = off), once the config is read.</summary>
    public static void SetSyslogSocket(string path)
    {
        if (_syslog != null) _syslog.SocketPath = path;
    }

    private static Logger Logger => _logger ?? throw new InvalidOperationException("Log.Init was not called");

    public static void Info(string message) => Logger.Info(message);
    public static void Warn(string message) => Logger.Warn(message);
    public static void Error(string message) => Logger.Error(message);

    /// <summary>
    /// Ends logging before exit. The targets write synchronously, so there is nothing to
    /// flush: NLog's own Shutdown would start thread-pool threads just to wait for nothing.
    /// </summary>
    public static void Shutdown() => _syslog?.Close();

    /// <summary>A message made safe for one log line: no line breaks, no control characters.</summary>
    internal static string OneLine(string message)
    {
        foreach (char c in message)
        {
            if (c < 0x20)
            {
                var chars = message.ToCharArray();
                for (int i = 0; i < chars.Length; i++) if (chars[i] < 0x20) chars[i] = ' ';
                return new string(chars);
            }
        }
        return message;
    }
}
