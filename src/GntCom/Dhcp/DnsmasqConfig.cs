using System.Collections.Generic;
using System.Text;
using GntCom.Config;

namespace GntCom.Dhcp;

/// <summary>
/// The text of dnsmasq's config and hosts files. Only validated values reach them:
/// interface names and paths were checked when read, IPs and MACs are parsed values.
/// </summary>
internal static class DnsmasqConfig
{
    /// <summary>One `MAC,IP` line per guest.</summary>
    public static string Hosts(IEnumerable<(string Mac, string Ip)> pairs)
    {
        var sb = new StringBuilder();
        foreach (var (mac, ip) in pairs) sb.Append(mac).Append(',').Append(ip).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// The private dnsmasq's config: DHCP only (port=0), static leases from the hosts file
    /// only, authoritative, no lease file, and neither a router (option 3) nor a DNS server
    /// (option 6) offered: the channel must never become the guest's way out.
    /// </summary>
    public static string Render(GntComConfig cfg, DhcpMode mode, IEnumerable<string> interfaces,
        string hostsFile, string pidFile)
    {
        var sb = new StringBuilder();
        sb.Append("# Written by GntCom for its private dnsmasq; it is rewritten on every change.\n");
        switch (mode)
        {
            case DhcpMode.BindDynamic:
                sb.Append("bind-dynamic\n");
                sb.Append("interface=").Append(cfg.InterfacePrefix).Append("*\n");
                break;
            case DhcpMode.BindInterfaces:
                sb.Append("bind-interfaces\n");
                foreach (string name in interfaces) sb.Append("interface=").Append(name).Append('\n');
                break;
            default: // wildcard: one socket on 0.0.0.0, answers filtered by interface
                sb.Append("interface=").Append(cfg.InterfacePrefix).Append("*\n");
                break;
        }
        foreach (string except in cfg.DhcpExceptInterfaces) sb.Append("except-interface=").Append(except).Append('\n');
        sb.Append("dhcp-authoritative\n");
        sb.Append("dhcp-hostsfile=").Append(hostsFile).Append('\n');
        sb.Append("dhcp-range=").Append(cfg.Network.Network).Append(",static,").Append(cfg.Network.Netmask)
          .Append(',').Append(cfg.DhcpLeaseTime).Append('\n');
        sb.Append("dhcp-option=3\n");
        sb.Append("dhcp-option=6\n");
        sb.Append("leasefile-ro\n");
        sb.Append("no-hosts\n");
        sb.Append("no-ping\n");
        sb.Append("no-resolv\n");
        sb.Append("port=0\n");
        sb.Append("strict-order\n");
        sb.Append("pid-file=").Append(pidFile).Append('\n');
        return sb.ToString();
    }
}
