using System.Text;
using GntCom.Interop;
using NLog;
using NLog.Targets;

namespace GntCom.Logging;

/// <summary>
/// Writes "PROGRAM: [error: |warning: ]MESSAGE" to stderr, one line per event.
/// Formats by hand rather than through a layout string (nothing is parsed at start-up) and
/// writes to fd 2 directly: System.Console would start a signal-handling thread.
/// </summary>
internal sealed class StderrTarget : Target
{
    private readonly string _program;

    public StderrTarget(string program)
    {
        _program = program;
        Name = "stderr";
    }

    protected override void Write(LogEventInfo logEvent)
    {
        string prefix = logEvent.Level == LogLevel.Error || logEvent.Level == LogLevel.Fatal ? "error: "
            : logEvent.Level == LogLevel.Warn ? "warning: " : "";
        Libc.WriteAll(2, Encoding.UTF8.GetBytes(_program + ": " + prefix + Log.OneLine(logEvent.FormattedMessage) + "\n"));
    }
}
