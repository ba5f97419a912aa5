using System;
using System.Runtime.InteropServices;
using System.Threading;
using GntCom.Tests.Xen;

// xenstored SOCKET: serves the tests' xenstore (every client is dom0) on the Unix socket
// SOCKET until SIGTERM or SIGINT, then removes the socket. Clients find it through
// XENSTORED_PATH=SOCKET (libxenstore, Debian's xenstore-utils, Xen's hotplug scripts).
if (args.Length != 1 || args[0].StartsWith('-'))
{
    Console.Error.WriteLine("usage: xenstored SOCKET   (serves a stand-in xenstore until SIGTERM/SIGINT)");
    return 2;
}
using var stop = new ManualResetEventSlim();
void Stop(PosixSignalContext c) { c.Cancel = true; stop.Set(); }
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
XenstoreServer server;
try
{
    server = new XenstoreServer(args[0]);
}
catch (Exception e) when (e is System.Net.Sockets.SocketException or System.IO.IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine("xenstored: cannot serve on " + args[0] + ": " + e.Message);
    return 1;
}
using (server) stop.Wait();
return 0;
