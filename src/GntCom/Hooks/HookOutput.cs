using System;
using System.Text;
using GntCom.Logging;

namespace GntCom.Hooks;

/// <summary>A hook's output, logged a line at a time as "hook NAME: LINE" (stderr and syslog).</summary>
internal sealed class HookOutput
{
    private const int MaxLine = 4096;
    private readonly string _name;
    private readonly StringBuilder _line = new();

    public HookOutput(string name) => _name = name;

    public void Add(ReadOnlySpan<byte> bytes)
    {
        foreach (char c in Encoding.UTF8.GetString(bytes))
        {
            if (c == '\n') { Flush(); continue; }
            if (_line.Length < MaxLine) _line.Append(c);
        }
    }

    public void Flush()
    {
        if (_line.Length == 0) return;
        Log.Info("hook " + _name + ": " + _line);
        _line.Clear();
    }
}
