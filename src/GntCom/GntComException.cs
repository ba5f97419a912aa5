using System;

namespace GntCom;

/// <summary>
/// An expected failure with a message fit for an operator: one line that names the
/// input and the cause. Entry points print <see cref="Exception.Message"/> and exit non-zero;
/// anything else escaping is a bug and is reported with its type.
/// </summary>
public class GntComException : Exception
{
    public GntComException(string message) : base(message) { }
    public GntComException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Bad input from outside (argv, environment, xenstore, a file): exit code 2.</summary>
public sealed class InvalidInputException : GntComException
{
    public InvalidInputException(string message) : base(message) { }
}
