using System.Collections.Generic;
using System.Text;

namespace GntCom.State;

/// <summary>The `key=value` line format of GntCom's state files.</summary>
internal static class KeyValueText
{
    public static Dictionary<string, string> Parse(string text)
    {
        var map = new Dictionary<string, string>();
        foreach (string line in text.Split('\n'))
        {
            int eq = line.IndexOf('=');
            if (eq > 0) map[line[..eq]] = line[(eq + 1)..];
        }
        return map;
    }

    public static string Format(params (string Key, string? Value)[] pairs)
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in pairs)
            if (v != null) sb.Append(k).Append('=').Append(v).Append('\n');
        return sb.ToString();
    }
}
