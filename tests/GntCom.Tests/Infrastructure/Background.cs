using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;

namespace GntCom.Tests.Infrastructure;

/// <summary>A long-running program (qemu, a DHCP client) the test talks to and stops.</summary>
public sealed class Background : IDisposable
{
    private readonly Process _p;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();

    public Background(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env = null)
    {
        var psi = Proc.StartInfo(file, args, env);
        _p = Process.Start(psi)!;
        _p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_out) _out.AppendLine(e.Data); };
        _p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_err) _err.AppendLine(e.Data); };
        _p.BeginOutputReadLine();
        _p.BeginErrorReadLine();
    }

    public int Pid => _p.Id;
    public bool HasExited => _p.HasExited;
    public string Out { get { lock (_out) return _out.ToString(); } }
    public string Err { get { lock (_err) return _err.ToString(); } }

    public void Send(string line)
    {
        _p.StandardInput.WriteLine(line);
        _p.StandardInput.Flush();
    }

    /// <summary>
    /// Waits for the program to exit and then, within the same limit, for its stdout and
    /// stderr to be read to the end (a child it left behind may hold them open for ever:
    /// that must not hang the test).
    /// </summary>
    public bool WaitForExit(int timeoutMs)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        if (!_p.WaitForExit(timeoutMs)) return false;
        int left = (int)Math.Max(0, (until - DateTime.UtcNow).TotalMilliseconds);
        System.Threading.Tasks.Task.Run(() => _p.WaitForExit()).Wait(left);
        return true;
    }

    public int ExitCode => _p.ExitCode;

    public void Kill() { try { _p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeoutMs"/> passes.</summary>
    public static bool WaitFor(Func<bool> condition, int timeoutMs = 15000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < until)
        {
            if (condition()) return true;
            Thread.Sleep(25);
        }
        return condition();
    }

    public override string ToString() => "stdout: " + Out + "\nstderr: " + Err;

    public void Dispose()
    {
        if (!_p.HasExited) Kill();
        _p.Dispose();
    }
}
