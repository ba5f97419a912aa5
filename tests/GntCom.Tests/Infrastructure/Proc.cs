using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;

namespace GntCom.Tests.Infrastructure;

public sealed record ProcResult(int Code, string Out, string Err)
{
    public override string ToString() => "exit " + Code + "\nstdout: " + Out + "\nstderr: " + Err;
}

/// <summary>Runs a program to completion with a time limit, capturing both streams.</summary>
public static class Proc
{
    public static ProcResult Run(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env = null,
        int timeoutMs = 60_000, string? stdin = null)
    {
        var psi = StartInfo(file, args, env);
        using var p = Process.Start(psi)!;
        if (stdin != null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        Task<string> err = p.StandardError.ReadToEndAsync();
        Task<string> @out = p.StandardOutput.ReadToEndAsync();
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        if (!p.WaitForExit(timeoutMs))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException(file + " " + string.Join(' ', args) + " did not finish in " + timeoutMs + " ms");
        }
        p.WaitForExit();
        // A background child that inherited the program's stdout or stderr keeps the pipes
        // open after the program exited: a caller reading them (Ganeti does) would hang.
        // The same time limit covers that too, instead of a read that never ends.
        int left = (int)Math.Max(0, (until - DateTime.UtcNow).TotalMilliseconds);
        if (!Task.WaitAll(new Task[] { @out, err }, left))
            throw new TimeoutException(file + " " + string.Join(' ', args) + " exited (code " + p.ExitCode
                + ") but its stdout/stderr stayed open (held by a process it left behind) until the " + timeoutMs + " ms limit");
        return new ProcResult(p.ExitCode, @out.Result, err.Result);
    }

    /// <summary>All three streams redirected; a null value in <paramref name="env"/> removes that variable.</summary>
    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env)
    {
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        if (env != null)
            foreach (var (k, v) in env)
            {
                if (v == null) psi.Environment.Remove(k);
                else psi.Environment[k] = v;
            }
        return psi;
    }

    public static ProcResult Run(string file, params string[] args) => Run(file, (IEnumerable<string>)args);

    /// <summary>Runs and fails the test when the command fails.</summary>
    public static string Must(string file, params string[] args)
    {
        var r = Run(file, args);
        if (r.Code != 0) throw new InvalidOperationException(file + " " + string.Join(' ', args) + " failed: " + r);
        return r.Out;
    }

    public static string Sh(string script) => Must("/bin/sh", "-c", script);
}
