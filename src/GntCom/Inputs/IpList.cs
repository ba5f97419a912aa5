using System.Collections.Generic;
using System.Net;

namespace GntCom.Inputs;

/// <summary>
/// The `ip` node of a vif (and vif-route's ip= argument): IPv4 addresses or networks,
/// separated by single spaces, as Xen's scripts accept them.
/// </summary>
public static class IpList
{
    public static List<(IPAddress Address, int PrefixLength)> Parse(string? list, string what)
    {
        var result = new List<(IPAddress, int)>();
        if (list == null) return result;
        if (list.Length > 4096)
            throw new InvalidInputException(what + " " + Quote.Value(list) + " is too long");
        foreach (string item in list.Split(' ', System.StringSplitOptions.RemoveEmptyEntries))
        {
            if (item.Contains('/'))
            {
                var net = Ipv4Network.Parse(item, what + " entry");
                result.Add((net.Network, net.PrefixLength));
            }
            else
            {
                result.Add((Ipv4.Parse(item, what + " entry"), 32));
            }
        }
        if (list.Length > 0 && result.Count == 0)
            throw new InvalidInputException(what + " " + Quote.Value(list) + " is not a space-separated list of IPv4 addresses");
        return result;
    }
}
