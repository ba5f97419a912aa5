using System;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;

// udp-sendto ADDRESS [PORT] [BATCHES]: sends 16-byte UDP datagrams with sendto() on one
// unconnected socket in a tight loop, so that the kernel looks the route up for every
// packet (policy rules included), and prints the median ns per packet over BATCHES
// batches (default 11) of about 100 ms each, after a warm-up. Every send must succeed.
if (args.Length is < 1 or > 3 || !IPAddress.TryParse(args[0], out var address)
    || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
{
    Console.Error.WriteLine("usage: udp-sendto IPV4-ADDRESS [PORT] [BATCHES]");
    return 2;
}
int port = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 9;
int batches = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 11;
return Sender.Run(address, port, batches);

internal static unsafe partial class Sender
{
    private const int AF_INET = 2, SOCK_DGRAM = 2;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint sendto(int fd, byte* buf, nint len, int flags, byte* addr, int addrlen);

    public static int Run(IPAddress address, int port, int batches)
    {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        if (fd < 0) return Fail("socket", Marshal.GetLastPInvokeError());
        byte* sa = stackalloc byte[16]; // struct sockaddr_in
        new Span<byte>(sa, 16).Clear();
        sa[0] = AF_INET;
        sa[2] = (byte)(port >> 8);
        sa[3] = (byte)port;
        address.TryWriteBytes(new Span<byte>(sa + 4, 4), out _);
        byte* payload = stackalloc byte[16];

        // Warm-up, and a batch size of about 100 ms.
        long n = 1000;
        double warm = Send(fd, payload, sa, n);
        if (warm < 0) return Fail("sendto", Marshal.GetLastPInvokeError());
        n = Math.Clamp((long)(100e6 / warm), 1000, 5_000_000);
        if (Send(fd, payload, sa, n) < 0) return Fail("sendto", Marshal.GetLastPInvokeError());

        var ns = new double[batches];
        for (int b = 0; b < batches; b++)
        {
            ns[b] = Send(fd, payload, sa, n);
            if (ns[b] < 0) return Fail("sendto", Marshal.GetLastPInvokeError());
        }
        Array.Sort(ns);
        Console.Out.WriteLine(ns[batches / 2].ToString("F1", CultureInfo.InvariantCulture));
        Console.Error.WriteLine("udp-sendto: " + batches + " batches of " + n + " packets, ns/packet min "
            + ns[0].ToString("F1", CultureInfo.InvariantCulture) + " max " + ns[^1].ToString("F1", CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>ns per packet for <paramref name="count"/> sends, or -1 when one failed.</summary>
    private static double Send(int fd, byte* payload, byte* sa, long count)
    {
        long start = Stopwatch.GetTimestamp();
        for (long i = 0; i < count; i++)
            if (sendto(fd, payload, 16, 0, sa, 16) < 0) return -1;
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / count;
    }

    private static int Fail(string call, int errno)
    {
        Console.Error.WriteLine("udp-sendto: " + call + " failed: errno " + errno);
        return 1;
    }
}
