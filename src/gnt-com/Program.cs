using System;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using CommandLine;
using GntCom.Cli;

namespace GntCom.Admin;

/// <summary>gnt-com: the admin command.</summary>
internal static class Program
{
    // CommandLineParser finds options by reflection; under trimming the option types must
    // be kept whole, or it sees no options at all (and mistakes the types for immutable).
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(CommonOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(AllocateOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(ReleaseOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(StatusOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(CheckOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(RepairOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(DhcpOptions))]
    private static int Main(string[] args) => Entry.Run("gnt-com", () => Dispatch(args));

    private static int Dispatch(string[] args)
    {
        using var help = new StringWriter();
        using var parser = new Parser(s =>
        {
            s.HelpWriter = help;
            s.CaseSensitive = true;
            s.CaseInsensitiveEnumValues = false;
        });
        var result = parser.ParseArguments<AllocateOptions, ReleaseOptions, StatusOptions, CheckOptions, RepairOptions, DhcpOptions>(args);
        return result.MapResult(
            (AllocateOptions o) => AdminCommands.Allocate(o),
            (ReleaseOptions o) => AdminCommands.Release(o),
            (StatusOptions o) => AdminCommands.Status(o),
            (CheckOptions o) => AdminCommands.Check(o),
            (RepairOptions o) => AdminCommands.Repair(o),
            (DhcpOptions o) => AdminCommands.Dhcp(o),
            errors =>
            {
                // --help and --version are answers, not errors: stdout and exit 0.
                bool asked = false;
                foreach (var e in errors)
                    if (e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError or ErrorType.VersionRequestedError) asked = true;
                string text = help.ToString();
                if (asked)
                {
                    Console.Out.Write(text);
                    return Entry.Ok;
                }
                Console.Error.Write(text);
                return Entry.Usage;
            });
    }
}
