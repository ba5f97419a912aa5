using System.Text;

namespace GntCom.Inputs;

/// <summary>
/// Shows an outside value in a message safely: quoted, with control characters and
/// non-ASCII bytes escaped, and cut short, so a hostile value can neither forge a second
/// log line nor flood the terminal.
/// </summary>
public static class Quote
{
    public static string Value(string? value, int max = 64)
    {
        if (value == null) return "(unset)";
        var sb = new StringBuilder(value.Length + 2).Append('\'');
        int n = 0;
        foreach (char c in value)
        {
            if (++n > max) { sb.Append("..."); break; }
            switch (c)
            {
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\\': sb.Append("\\\\"); break;
                case '\'': sb.Append("\\'"); break;
                default:
                    if (c < 0x20 || c >= 0x7f) sb.Append("\\u").Append(((int)c).ToString("x4"));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('\'').ToString();
    }
}
