using System;
using System.IO;

namespace GntCom.Tests.Infrastructure;

/// <summary>The repository and the published AOT executables the tests run.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "GntCom.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("GntCom.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Path of an executable in out/; fails (never skips) when it was not built.</summary>
    public static string Bin(string name)
    {
        string path = Path.Combine(Root, "out", name);
        if (!File.Exists(path))
            throw new InvalidOperationException(path + " is missing: run 'make' first (make test does)");
        return path;
    }

    public static string Script(string relative) => Path.Combine(Root, relative);
}
