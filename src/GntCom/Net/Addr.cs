using System.Net;

namespace GntCom.Net;

/// <summary>An interface address (ip addr).</summary>
public sealed record Addr(int Index, IPAddress Address, int PrefixLength, byte Scope, uint Flags)
{
    public const uint Secondary = 0x01;

    public bool IsSecondary => (Flags & Secondary) != 0;

    public override string ToString() => Address + "/" + PrefixLength;
}
