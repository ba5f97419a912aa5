using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using Microsoft.Win32.SafeHandles;

namespace GntCom.Tests.Infrastructure;

/// <summary>
/// Runs code on a thread that has joined a network namespace (setns): sockets it opens
/// live in that namespace. Used to play the guest and the host's services in tests.
/// </summary>
public static partial class InNamespace
{
    private const int CLONE_NEWNET = 0x40000000;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    public static T Run<T>(NetNs ns, Func<T> body)
    {
        T result = default!;
        Exception? error = null;
        var t = new Thread(() =>
        {
            try
            {
                using var fd = File.OpenHandle("/run/netns/" + ns.Name);
                if (setns((int)fd.DangerousGetHandle(), CLONE_NEWNET) != 0)
                    throw new InvalidOperationException("setns " + ns.Name + ": errno " + Marshal.GetLastPInvokeError());
                result = body();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        t.Start();
        t.Join();
        if (error != null) throw new InvalidOperationException("in namespace " + ns.Name + ": " + error.Message, error);
        return result;
    }

    /// <summary>A TCP listener bound in <paramref name="ns"/>; accept with <see cref="Exchange.AcceptEcho"/>.</summary>
    public static Socket TcpListen(NetNs ns, string ip, int port) => Run(ns, () =>
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        s.Bind(new IPEndPoint(IPAddress.Parse(ip), port));
        s.Listen(4);
        return s;
    });

    public static Socket UdpBind(NetNs ns, string ip, int port) => Run(ns, () =>
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Parse(ip), port));
        s.ReceiveTimeout = 5000;
        return s;
    });

    /// <summary>
    /// Opens a TCP connection from <paramref name="ns"/> to ip:port, sends a line and returns the
    /// peer's echo of it, and the source address the peer saw is up to the listener.
    /// </summary>
    public static string TcpRoundTrip(NetNs ns, string ip, int port, string message, int timeoutMs = 5000) => Run(ns, () =>
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var connect = s.ConnectAsync(new IPEndPoint(IPAddress.Parse(ip), port));
        if (!connect.Wait(timeoutMs)) throw new TimeoutException("connect to " + ip + ":" + port + " timed out");
        s.Send(Encoding.ASCII.GetBytes(message));
        s.ReceiveTimeout = timeoutMs;
        var buf = new byte[256];
        int n = s.Receive(buf);
        return Encoding.ASCII.GetString(buf, 0, n);
    });

    /// <summary>Whether a TCP connection from <paramref name="ns"/> to ip:port gets through in time.</summary>
    public static bool TcpReaches(NetNs ns, string ip, int port, int timeoutMs = 1500) => Run(ns, () =>
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            return s.ConnectAsync(new IPEndPoint(IPAddress.Parse(ip), port)).Wait(timeoutMs);
        }
        catch (AggregateException)
        {
            return false;
        }
    });

    /// <summary>Sends one UDP datagram from <paramref name="ns"/> and waits for the reply.</summary>
    public static string? UdpRoundTrip(NetNs ns, string ip, int port, string message, int timeoutMs = 3000) => Run(ns, () =>
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.ReceiveTimeout = timeoutMs;
        s.SendTo(Encoding.ASCII.GetBytes(message), new IPEndPoint(IPAddress.Parse(ip), port));
        var buf = new byte[256];
        try
        {
            int n = s.Receive(buf);
            return Encoding.ASCII.GetString(buf, 0, n);
        }
        catch (SocketException)
        {
            return null;
        }
    });
}

/// <summary>Echo servers on sockets opened in a namespace: they answer "ECHO from PEER: message".</summary>
public static class Exchange
{
    public static Thread AcceptEcho(Socket listener, int count = 1) => Serve(count, () =>
    {
        using var c = listener.Accept();
        var buf = new byte[256];
        int n = c.Receive(buf);
        c.Send(Echo(((IPEndPoint)c.RemoteEndPoint!).Address, buf, n));
    });

    public static Thread UdpEcho(Socket socket, int count = 1) => Serve(count, () =>
    {
        var buf = new byte[256];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        int n = socket.ReceiveFrom(buf, ref from);
        socket.SendTo(Echo(((IPEndPoint)from).Address, buf, n), from);
    });

    private static byte[] Echo(IPAddress peer, byte[] buf, int n) =>
        Encoding.ASCII.GetBytes("ECHO from " + peer + ": " + Encoding.ASCII.GetString(buf, 0, n));

    /// <summary>Answers <paramref name="count"/> exchanges on a background thread; a closed socket ends it.</summary>
    private static Thread Serve(int count, Action exchange)
    {
        var t = new Thread(() =>
        {
            try
            {
                for (int i = 0; i < count; i++) exchange();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }) { IsBackground = true };
        t.Start();
        return t;
    }
}
