using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using GntCom.Tests.Infrastructure;

namespace GntCom.Tests.Operators;

/// <summary>A manual page of man/, read as roff source: its sections and the tags of its lists.</summary>
public sealed partial class ManPage
{
    private readonly string[] _lines;

    private ManPage(string name, string[] lines)
    {
        Name = name;
        _lines = lines;
    }

    public string Name { get; }

    public static string Dir => Path.Combine(Repo.Root, "man");

    /// <summary>Every page in man/ (file name, e.g. gnt-com.8), links included.</summary>
    public static IEnumerable<string> All() =>
        Directory.GetFiles(Dir).Select(Path.GetFileName).Where(n => Regex.IsMatch(n!, @"\.[1-9]$")).OrderBy(n => n, StringComparer.Ordinal)!;

    public static ManPage Load(string name) => new(name, File.ReadAllLines(Path.Combine(Dir, name)));

    /// <summary>The source lines of section <paramref name="title"/> (between its .SH and the next).</summary>
    public string[] Section(string title)
    {
        int start = Array.FindIndex(_lines, l => Plain(Args(l, ".SH")) == title);
        if (start < 0) throw new InvalidOperationException(Name + " has no section " + title);
        int end = Array.FindIndex(_lines, start + 1, l => l.StartsWith(".SH", StringComparison.Ordinal));
        return _lines[(start + 1)..(end < 0 ? _lines.Length : end)];
    }

    /// <summary>The first word of every .TP tag in section <paramref name="title"/>, in order.</summary>
    public List<string> Tags(string title)
    {
        var lines = Section(title);
        var tags = new List<string>();
        for (int i = 0; i + 1 < lines.Length; i++)
        {
            if (lines[i].Trim() != ".TP") continue;
            tags.Add(Plain(MacroText(lines[i + 1])).Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]);
        }
        return tags;
    }

    /// <summary>The page's whole text with roff escapes resolved (for "is X mentioned" checks).</summary>
    public string Text => string.Join('\n', _lines.Select(Plain));

    /// <summary>
    /// The text a font macro line prints: .B/.I print their arguments as they are; the
    /// alternating ones (.BI, .BR, .IB, .IR, .RB, .RI) join their arguments without spaces.
    /// </summary>
    public static string MacroText(string line)
    {
        foreach (string m in new[] { ".BI", ".BR", ".IB", ".IR", ".RB", ".RI" })
            if (line.StartsWith(m + " ", StringComparison.Ordinal))
                return string.Concat(Regex.Matches(line[(m.Length + 1)..], "\"[^\"]*\"|[^ ]+").Select(a => a.Value.Trim('"')));
        foreach (string m in new[] { ".B", ".I" })
            if (line.StartsWith(m + " ", StringComparison.Ordinal)) return line[(m.Length + 1)..];
        return line;
    }

    private static string Args(string line, string macro) =>
        line.StartsWith(macro + " ", StringComparison.Ordinal) ? line[(macro.Length + 1)..] : "";

    /// <summary>Roff source made plain: font changes, \-, \%, \&amp;, \e and quotes resolved.</summary>
    public static string Plain(string s) =>
        FontEscape().Replace(s, "").Replace("\\-", "-").Replace("\\%", "").Replace("\\&", "").Replace("\\e", "\\").Replace("\"", "").Trim();

    [GeneratedRegex(@"\\f[BIRP]")]
    private static partial Regex FontEscape();
}
