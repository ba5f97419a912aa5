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
        string line = "<" + (FacilityDaemon * 8 + severity).ToString(CultureInfo.InvariantCulture) + ">"
            + Timestamp(logEvent.TimeStamp) + " "
            + _tag + "[" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "]: "
            + Log.OneLine(logEvent.FormattedMessage);
        byte[] bytes = Encoding.UTF8.GetBytes(line);
        fixed (byte* p = bytes)
            Libc.Send(_fd, p, (nuint)bytes.Length, Libc.MSG_DONTWAIT);
    }

    /// <summary>
    /// "Mmm dd hh:mm:ss" (day padded with a space) of the event's local time (NLog stamps each
    /// event with DateTime.Now). Built by hand: DateTime's format-string machinery costs ~20k
    /// instructions on its first use, a tenth of what the whole syslog copy costs otherwise.
    /// </summary>
    internal static string Timestamp(DateTime t)
    {
        const string months = "JanFebMarAprMayJunJulAugSepOctNovDec";
        Span<char> s = stackalloc char[15];
        months.AsSpan((t.Month - 1) * 3, 3).CopyTo(s);
        s[3] = ' ';
        s[4] = t.Day < 10 ? ' ' : (char)('0' + t.Day / 10);
        s[5] = (char)('0' + t.Day % 10);
        s[6] = ' ';
        s[7] = (char)('0' + t.Hour / 10);
        s[8] = (char)('0' + t.Hour % 10);
        s[9] = ':';
        s[10] = (char)('0' + t.Minute / 10);
        s[11] = (char)('0' + t.Minute % 10);
        s[12] = ':';
        s[13] = (char)('0' + t.Second / 10);
        s[14] = (char)('0' + t.Second % 10);
        return new string(s);
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
