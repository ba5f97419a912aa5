using System;
using System.Collections.Generic;
using System.Text;

namespace GntCom.Tests.Unit;

/// <summary>
/// Hostile variants of valid inputs, reproducible from a seed: the input cut at every
/// position, then random mutations (characters replaced, control characters, newlines and
/// separators inserted, long runs, pieces deleted or repeated, invalid UTF-16), then
/// random strings. What the parsers read comes from hypervisors, the store, /proc and
/// files anyone with a bug could have written.
/// </summary>
internal sealed class Mutations
{
    private static readonly char[] Interesting =
    {
        '\0', '\n', '\r', '\t', '\x1b', '\x7f', ' ', '=', '/', ':', ',', '.', '-', '_', '*', '%', '(', ')', '>',
        '0', '1', '9', 'a', 'f', 'x', 'Z', '\u00e9', '\u0663' /* Arabic-Indic 3 */, '\uff10' /* fullwidth 0 */,
        '\ud800' /* lone high surrogate */, '\udfff', '\ufeff', '\uffff',
    };

    private readonly Random _r;

    public Mutations(int seed) => _r = new Random(seed);

    /// <summary>Every truncation of each sample, then <paramref name="random"/> mutants, then a few hundred random strings.</summary>
    public IEnumerable<string> Of(IReadOnlyList<string> samples, int random = 3000)
    {
        foreach (string s in samples)
            for (int i = 0; i <= s.Length; i++)
                yield return s[..i];
        for (int i = 0; i < random; i++)
        {
            string s = samples[_r.Next(samples.Count)];
            int ops = 1 + _r.Next(3);
            for (int k = 0; k < ops; k++) s = Mutate(s);
            yield return s;
        }
        for (int i = 0; i < 300; i++) yield return RandomString(_r.Next(0, 200));
    }

    public string Mutate(string s)
    {
        int pos = s.Length == 0 ? 0 : _r.Next(s.Length + 1);
        switch (_r.Next(9))
        {
            case 0: // replace one character
                if (s.Length == 0) return Pick().ToString();
                pos = Math.Min(pos, s.Length - 1);
                return s[..pos] + Pick() + s[(pos + 1)..];
            case 1: // flip a bit of one character
                if (s.Length == 0) return s;
                pos = Math.Min(pos, s.Length - 1);
                return s[..pos] + (char)(s[pos] ^ (1 << _r.Next(8))) + s[(pos + 1)..];
            case 2: // insert a control character or a separator
                return s.Insert(pos, Pick().ToString());
            case 3: // insert a newline (a second line, a second record)
                return s.Insert(pos, _r.Next(2) == 0 ? "\n" : "\r\n");
            case 4: // a long run
                return s.Insert(pos, new string(Pick(), _r.Next(1, 5000)));
            case 5: // a long copy of the input itself
            {
                var sb = new StringBuilder(s);
                int n = _r.Next(2, 50);
                for (int i = 0; i < n; i++) sb.Append(s);
                return sb.ToString();
            }
            case 6: // delete a piece
            {
                if (s.Length == 0) return s;
                pos = Math.Min(pos, s.Length - 1);
                int len = _r.Next(1, Math.Min(20, s.Length - pos) + 1);
                return s.Remove(pos, len);
            }
            case 7: // repeat a piece
            {
                if (s.Length == 0) return s;
                pos = Math.Min(pos, s.Length - 1);
                int len = _r.Next(1, Math.Min(20, s.Length - pos) + 1);
                return s.Insert(pos, s.Substring(pos, len));
            }
            default: // a digit run that overflows any integer
                return s.Insert(pos, new string('9', _r.Next(10, 40)));
        }
    }

    private char Pick() => _r.Next(3) == 0 ? (char)_r.Next(0, 0x10000) : Interesting[_r.Next(Interesting.Length)];

    private string RandomString(int length)
    {
        var sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) sb.Append(Pick());
        return sb.ToString();
    }
}
