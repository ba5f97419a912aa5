using System;
using System.IO;
using System.Text;
using NLog;
using NLog.Targets;

namespace GntCom.Logging;

/// <summary>
/// Writes "PROGRAM: [error: |warning: ]MESSAGE" to stderr, one line per event.
/// Formats by hand rather than through a layout string, so nothing is parsed at start-up.
/// </summary>
internal sealed class StderrTarget : Target
{
    private readonly string _program;
    private readonly Stream _stderr = Console.OpenStandardError();

    public StderrTarget(string program)
    {
        _program = program;
        Name = "stderr";
    }

    protected override void Write(LogEventInfo logEvent)
    {
        string prefix = logEvent.Level == LogLevel.Error || logEvent.Level == LogLevel.Fatal ? "error: "
            : logEvent.Level == LogLevel.Warn ? "warning: " : "";
        string line = _program + ": " + prefix + Log.OneLine(logEvent.FormattedMessage) + "\n";
        try
        {
            _stderr.Write(Encoding.UTF8.GetBytes(line));
            _stderr.Flush();
        }
        catch (IOException)
        {
            // stderr closed by the caller: nothing else to tell.
        }
    }
}
