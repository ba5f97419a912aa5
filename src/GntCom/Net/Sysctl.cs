using System;
using System.IO;
using System.Text;

namespace GntCom.Net;

/// <summary>
/// Per-interface sysctls, written under /proc/sys directly: interface names contain dots,
/// which the sysctl(8) dotted syntax cannot express. /proc/sys/net shows the network
/// namespace of the calling thread.
/// </summary>
public static class Sysctl
{
    public const string Root = "/proc/sys/";

    /// <summary>"net/ipv4/conf/IF/KEY" for an already validated interface name.</summary>
    public static string InterfaceKey(string family, string ifname, string key) =>
        "net/" + family + "/conf/" + ifname + "/" + key;

    public static string Read(string key)
    {
        try
        {
            return File.ReadAllText(Root + key).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GntComException("cannot read sysctl " + key + ": " + Cause(e));
        }
    }

    public static void Write(string key, string value)
    {
        try
        {
            using var fs = new FileStream(Root + key, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
            fs.Write(Encoding.ASCII.GetBytes(value + "\n"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GntComException("cannot set sysctl " + key + "=" + value + ": " + Cause(e));
        }
    }

    private static string Cause(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such key (is the interface gone?)",
        UnauthorizedAccessException => "permission denied (run as root)",
        _ => e.Message,
    };
}
