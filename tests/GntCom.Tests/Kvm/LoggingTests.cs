using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Sockets;
using System.Text;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Kvm;

/// <summary>Every action is one line on stderr and one syslog message (facility daemon, tagged with the program).</summary>
public sealed class LoggingTests
{
    [HostFact]
    public void Actions_and_errors_reach_syslog_tagged_with_the_program()
    {
        using var h = new Host();
        string socketPath = Path.Combine(h.Sandbox.Dir, "log.sock");
        using var syslog = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        syslog.Bind(new UnixDomainSocketEndPoint(socketPath));
        syslog.ReceiveTimeout = 5000;
        h.Sandbox.WriteConfig("dhcp = off\nsyslog_socket = " + socketPath + "\n");
        h.AddTap("tap0");

        var up = h.Ifup("tap0", "169.254.1.2", "52:54:00:12:34:56");
        Assert.True(up.Code == 0, up.ToString());
        string upLine = Receive(syslog);
        Assert.Matches(@"^<30>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d gnt-com-ifup\[\d+\]: up gnt\.com\.0 \(was tap0\) ip=169\.254\.1\.2 mac=52:54:00:12:34:56$", upLine);
        Assert.Equal("gnt-com-ifup: up gnt.com.0 (was tap0) ip=169.254.1.2 mac=52:54:00:12:34:56\n", up.Err);

        var bad = h.Run("gnt-com-ifdown", new[] { "tap\nx" });
        Assert.Equal(2, bad.Code);
        string errLine = Receive(syslog);
        // priority 27 = daemon.err; the newline of the input is escaped, not a second line.
        Assert.Matches(@"^<27>.* gnt-com-ifdown\[\d+\]: interface 'tap\\nx' is not a valid interface name", errLine);
    }

    private static string Receive(Socket s)
    {
        var buf = new byte[2048];
        int n = s.Receive(buf);
        return Encoding.UTF8.GetString(buf, 0, n);
    }
}
