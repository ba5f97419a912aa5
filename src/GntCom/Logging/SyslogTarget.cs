using System;
using System.Globalization;
using System.Text;
using GntCom.Interop;
using NLog;
using NLog.Targets;

namespace GntCom.Logging;

/// <summary>
/// Sends events to the local syslog socket (/dev/log), facility daemon, tagged with the
/// program's name and pid, in the classic "&lt;PRI&gt;Mmm dd hh:mm:ss TAG[PID]: MSG" form.
/// A host without a syslog socket loses the syslog copy only; stderr still has it.
/// </summary>
internal sealed unsafe class SyslogTarget : Target
{
    private const int FacilityDaemon = 3;
    private readonly string _tag;
    private int _fd = -1;
    private bool _failed;

    public SyslogTarget(string tag, string socketPath)
    {
        _tag = tag;
        SocketPath = socketPath;
        Name = "syslog";
    }

    /// <summary>The datagram socket to send to; empty turns the copy off.</summary>
    public string SocketPath { get; set; }

    protected override void Write(LogEventInfo logEvent)
    {
        if (SocketPath.Length == 0 || _failed) return;
        if (_fd < 0 && !Connect()) return;
        int severity = logEvent.Level == LogLevel.Fatal ? 2 : logEvent.Level == LogLevel.Error ? 3
            : logEvent.Level == LogLevel.Warn ? 4 : logEvent.Level == LogLevel.Info ? 6 : 7;
        var now = DateTime.Now;
        string line = "<" + (FacilityDaemon * 8 + severity).ToString(CultureInfo.InvariantCulture) + ">"
            + now.ToString("MMM", CultureInfo.InvariantCulture) + " "
            + now.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) + " "
            + now.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " "
            + _tag + "[" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "]: "
            + Log.OneLine(logEvent.FormattedMessage);
        byte[] bytes = Encoding.UTF8.GetBytes(line);
        fixed (byte* p = bytes)
            Libc.Send(_fd, p, (nuint)bytes.Length, Libc.MSG_DONTWAIT);
    }

    private bool Connect()
    {
        byte[] path = Encoding.UTF8.GetBytes(SocketPath);
        if (path.Length >= 108) { _failed = true; return false; }
        int fd = Libc.Socket(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) { _failed = true; return false; }
        byte* sa = stackalloc byte[110];
        new Span<byte>(sa, 110).Clear();
        sa[0] = Libc.AF_UNIX;
        path.CopyTo(new Span<byte>(sa + 2, 108));
        if (Libc.Connect(fd, sa, 2 + path.Length + 1) < 0)
        {
            Libc.Close(fd);
            _failed = true;
            return false;
        }
        _fd = fd;
        return true;
    }

    /// <summary>Closes the socket (it reconnects on the next event).</summary>
    public void Close()
    {
        if (_fd >= 0) Libc.Close(_fd);
        _fd = -1;
    }

    protected override void CloseTarget()
    {
        Close();
        base.CloseTarget();
    }
}
