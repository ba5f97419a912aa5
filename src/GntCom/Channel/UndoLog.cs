using System;
using System.Collections.Generic;
using GntCom.Logging;

namespace GntCom.Channel;

/// <summary>
/// What a run has changed so far, newest last, each with the action that reverts it.
/// On failure <see cref="Rollback"/> reverts everything best-effort, newest first, so the
/// host is left as it was before the run.
/// </summary>
public sealed class UndoLog
{
    private readonly List<(string What, Action Undo)> _steps = new();

    public void Push(string what, Action undo) => _steps.Add((what, undo));

    public void Commit() => _steps.Clear();

    public void Rollback()
    {
        for (int i = _steps.Count - 1; i >= 0; i--)
        {
            try
            {
                _steps[i].Undo();
            }
            catch (Exception e) when (e is GntComException or System.IO.IOException)
            {
                Log.Warn("could not undo " + _steps[i].What + ": " + e.Message);
            }
        }
        _steps.Clear();
    }
}
