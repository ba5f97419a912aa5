namespace GntCom.Inputs;

/// <summary>Validation of names that come from outside: interfaces and instances.</summary>
public static class Names
{
    public const int IfNameMax = 15; // IFNAMSIZ - 1

    /// <summary>
    /// An interface name as the kernel accepts it (1-15 bytes, not "." or "..", no '/',
    /// ':' or white space), further limited to letters, digits and "._-@+" so that it is
    /// safe in a path, a config line and a log line.
    /// </summary>
    public static string Interface(string? name, string what)
    {
        if (string.IsNullOrEmpty(name))
            throw new InvalidInputException(what + " is empty: an interface name is needed");
        if (name.Length > IfNameMax)
            throw new InvalidInputException(what + " " + Quote.Value(name) + " is longer than " + IfNameMax + " bytes");
        if (name == "." || name == "..")
            throw new InvalidInputException(what + " " + Quote.Value(name) + " is not a valid interface name");
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '.' || c == '_' || c == '-' || c == '@' || c == '+'))
                throw new InvalidInputException(what + " " + Quote.Value(name) + " is not a valid interface name (letters, digits and ._-@+ only)");
        return name;
    }

    /// <summary>An instance name: a host name (letters, digits, '.', '-', '_'), at most 253 characters, not "." or "..".</summary>
    public static string? Instance(string? name, string what) => HostName(name, what, "instance");

    /// <summary>A Ganeti node's name: a host name, as <see cref="Instance"/>.</summary>
    public static string? Node(string? name, string what) => HostName(name, what, "node");

    private static string? HostName(string? name, string what, string kind)
    {
        if (string.IsNullOrEmpty(name)) return null;
        if (name.Length > 253)
            throw new InvalidInputException(what + " " + Quote.Value(name) + " is longer than 253 characters");
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '.' || c == '-' || c == '_'))
                throw new InvalidInputException(what + " " + Quote.Value(name) + " is not a valid " + kind + " name (letters, digits and .-_ only)");
        if (name is "." or "..")
            throw new InvalidInputException(what + " " + Quote.Value(name) + " is not a valid " + kind + " name");
        return name;
    }
}
