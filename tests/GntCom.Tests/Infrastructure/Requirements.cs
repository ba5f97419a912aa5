using System;
using System.IO;
using System.Linq;
using Xunit;

namespace GntCom.Tests.Infrastructure;

/// <summary>What a test needs from the machine; a test skips, saying why, only when it is truly absent.</summary>
public static class Requirements
{
    public static bool IsRoot => Environment.UserName == "root" || Mono.Unix.Native.Syscall.geteuid() == 0;

    public static string? Missing(string[] tools)
    {
        if (!IsRoot) return "needs root (network namespaces, taps, routes)";
        foreach (string t in tools)
        {
            bool found = t.StartsWith('/') ? File.Exists(t)
                : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(new[] { "/usr/sbin", "/sbin" })
                    .Any(d => File.Exists(Path.Combine(d, t)));
            if (!found) return "needs " + t + " (installed by .ci/run)";
        }
        return null;
    }
}

/// <summary>A fact that needs root and the named tools.</summary>
public sealed class HostFactAttribute : FactAttribute
{
    public HostFactAttribute(params string[] tools)
    {
        Skip = Requirements.Missing(tools.Length == 0 ? new[] { "ip" } : tools);
    }
}

/// <summary>A theory that needs root and the named tools.</summary>
public sealed class HostTheoryAttribute : TheoryAttribute
{
    public HostTheoryAttribute(params string[] tools)
    {
        Skip = Requirements.Missing(tools.Length == 0 ? new[] { "ip" } : tools);
    }
}
