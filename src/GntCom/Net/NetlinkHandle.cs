using System;
using System.Net.Sockets;
using GntCom.Interop;
using GntCom.Netlink;

namespace GntCom.Net;

/// <summary>
/// The rtnetlink operations GntCom needs, named like the `ip` commands they match
/// (LinkSetName, AddrAdd, RouteReplace, RuleAdd...), one file per kernel object.
/// One socket per handle, in the network namespace of the thread that opened it; dumps
/// are filtered by the kernel (strict checking) where it can, so asking for one
/// interface's addresses does not copy every address of the host.
/// Failures throw <see cref="NetlinkException"/> describing the operation in `ip` terms;
/// <see cref="NetlinkException.IsNotFound"/> tells "already gone" apart.
/// </summary>
public sealed partial class NetlinkHandle : IDisposable
{
    private readonly NetlinkSocket _sock;

    private NetlinkHandle(NetlinkSocket sock) => _sock = sock;

    public static NetlinkHandle Open() => new(NetlinkSocket.Open());

    public void Dispose() => _sock.Dispose();

    /// <summary>Runs <paramref name="action"/>; an object that is already gone is not an error.</summary>
    public static void IgnoreNotFound(Action action)
    {
        try
        {
            action();
        }
        catch (NetlinkException e) when (e.IsNotFound)
        {
        }
    }

    private static byte FamilyByte(AddressFamily family) =>
        family == AddressFamily.InterNetwork ? (byte)Libc.AF_INET : (byte)Libc.AF_INET6;
}
