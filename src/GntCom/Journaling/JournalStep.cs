using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using GntCom.Channel;
using GntCom.Hooks;
using GntCom.Inputs;

// Each step type registers its parser in a module initializer of its own (this library is
// linked into NativeAOT executables, where module initializers run at start-up: about
// twenty dictionary inserts), so that a new kind of step is one new file.
[assembly: SuppressMessage("Usage", "CA2255", Justification = "journal step types register their parsers")]

namespace GntCom.Journaling;

/// <summary>
/// One line of an undo journal: a step a call is about to take, with what was there
/// before, so that another process can revert it exactly after this one was killed. Each
/// kind of step is a type (Journal/Steps/) that owns all of it: its verb and fields (the
/// line's text, checked when read back), how it is taken (a static Do that looks first,
/// writes its line, then changes the host) and how it is undone (<see cref="Undo"/>, which
/// must be harmless when the step never happened: the call may have been killed between
/// writing the line and taking the step). A type registers its parser when the module
/// loads, so adding a kind of step touches one file.
/// </summary>
public abstract record JournalStep
{
    private static readonly Dictionary<string, Func<StepReader, JournalStep>> Parsers = new(StringComparer.Ordinal);

    /// <summary>Makes <paramref name="verb"/> lines readable as a step (called by each step type's module initializer).</summary>
    protected static void Register(string verb, Func<StepReader, JournalStep> parse) => Parsers.Add(verb, parse);

    /// <summary>The line's first word.</summary>
    public abstract string Verb { get; }

    /// <summary>The line's other words.</summary>
    protected abstract void Write(StepWriter w);

    /// <summary>Reverts the step (best effort; the caller logs what throws).</summary>
    internal virtual void Undo(UndoContext c)
    {
    }

    public sealed override string ToString()
    {
        var w = new StepWriter();
        Write(w);
        return w.Tokens.Count == 0 ? Verb : Verb + " " + string.Join(' ', w.Tokens);
    }

    /// <summary>Parses one line, or throws <see cref="InvalidInputException"/> naming it.</summary>
    public static JournalStep Parse(string line)
    {
        string[] t = line.Split(' ');
        if (!Parsers.TryGetValue(t[0], out var parse))
            throw new InvalidInputException("journal line " + Quote.Value(line) + ": unknown step");
        var r = new StepReader(line, t);
        var step = parse(r);
        r.End();
        return step;
    }
}

/// <summary>The first line of a journal: what the call is about (healing reads it first).</summary>
public abstract record JournalHeader : JournalStep
{
    /// <summary>What the journal's call was setting up, for log lines.</summary>
    public abstract string Describe();
}

/// <summary>
/// What an undo works with: the node, the journal's header (a channel's ifdown hooks need
/// what the channel is), and whom hooks act for (the failed call's own NIC, or a killed
/// call's found by another: then they get a scrubbed environment).
/// </summary>
internal sealed record UndoContext(Node Node, JournalHeader? Header, HookCaller Caller);
