using System.Runtime.CompilerServices;
using GntCom.Interop;
using GntCom.Processes;

namespace GntCom.Journaling;

/// <summary>`hookpg PGID STARTTIME`: a hook runs in process group PGID (its leader started at STARTTIME).</summary>
public sealed record HookGroupStep(int ProcessGroup, ulong StartTime) : JournalStep
{
    public override string Verb => "hookpg";

    [ModuleInitializer]
    internal static void Register() => Register("hookpg", r => new HookGroupStep(r.Positive("process group"), r.ULong()));

    protected override void Write(StepWriter w) => w.Index(ProcessGroup).ULong(StartTime);

    internal override void Undo(UndoContext c) => Kill();

    /// <summary>
    /// Kills what is left of the hook's process group. The group's number cannot have been
    /// reused while any member lives; if the leader is alive it must be the same process
    /// (same start time), else the number was reused after the group died out.
    /// </summary>
    public void Kill()
    {
        if (ProcStat.Read(ProcessGroup) is { HasExited: false } leader && (leader.StartTime != StartTime || leader.ProcessGroup != ProcessGroup)) return;
        Libc.Kill(-ProcessGroup, Libc.SIGKILL);
    }
}
