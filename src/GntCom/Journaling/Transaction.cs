using System;
using System.Collections.Generic;
using GntCom.Channel;
using GntCom.Hooks;
using GntCom.Logging;
using GntCom.State;

namespace GntCom.Journaling;

/// <summary>
/// A call's changes as one transaction: every step is journaled before it is taken
/// (<see cref="Add"/>, called by the steps' Do methods); <see cref="Run"/> commits when the
/// steps complete and reverts them exactly, newest first, on any exception. A call that is
/// killed leaves its journal, which the next call reverts (<see cref="Revert"/>).
/// </summary>
internal sealed class Transaction : IDisposable
{
    private Transaction(Node node, Journal journal, HookCaller caller)
    {
        Node = node;
        Journal = journal;
        Caller = caller;
    }

    public Node Node { get; }
    public Journal Journal { get; }
    /// <summary>Whom the hooks that run in this transaction (and in its undo) act for.</summary>
    public HookCaller Caller { get; }

    /// <summary>Starts the journal <paramref name="key"/> headed by <paramref name="header"/>.</summary>
    public static Transaction Begin(Node node, string key, JournalHeader header, HookCaller caller) =>
        new(node, Journal.Begin(node.Store, key, header), caller);

    /// <summary>Records a step before it is taken.</summary>
    public void Add(JournalStep step) => Journal.Add(step);

    /// <summary>Runs <paramref name="steps"/>: committed when they complete, reverted exactly on any exception.</summary>
    public void Run(Action steps)
    {
        try
        {
            steps();
            Journal.Commit();
        }
        finally
        {
            if (!Journal.Committed)
            {
                Revert(Node, Journal.Entries, Caller);
                Journal.Discard();
            }
        }
    }

    /// <summary>Keeps what was done so far, whatever happened (a repair's put-back stays put back).</summary>
    public void Commit()
    {
        if (!Journal.Committed) Journal.Commit();
    }

    public void Dispose() => Journal.Dispose();

    /// <summary>
    /// Reverts a journal, newest step first, each best-effort: the host is left as it was
    /// before the call, exactly (a sysctl gets back the value it had, a link its name and
    /// its up/down state).
    /// </summary>
    public static void Revert(Node node, IReadOnlyList<JournalStep> steps, HookCaller caller)
    {
        var c = new UndoContext(node, steps.Count > 0 ? steps[0] as JournalHeader : null, caller);
        for (int i = steps.Count - 1; i >= 0; i--)
        {
            try
            {
                steps[i].Undo(c);
            }
            catch (Exception ex) when (ex is GntComException or System.IO.IOException)
            {
                Log.Warn("could not undo '" + steps[i] + "': " + ex.Message);
            }
        }
    }
}
