using System;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Linq;
using CommandLine;
using CommandLine.Text;
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
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(AdoptOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(DhcpOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(GanetiOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(ForgetOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(DownOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(ArrivedOptions))]
    private static int Main(string[] args) => Entry.Run("gnt-com", () => Dispatch(args));

    private static int Dispatch(string[] args)
    {
        // `gnt-com --config FILE VERB ...` as well as `gnt-com VERB --config FILE ...`: the
        // parser knows options only after the verb.
        if (args.Length >= 2 && args[0] == "--config") args = args[2..].Concat(args[..2]).ToArray();
        else if (args.Length >= 1 && args[0].StartsWith("--config=", StringComparison.Ordinal)) args = args[1..].Append(args[0]).ToArray();
        using var help = new StringWriter();
        using var parser = new Parser(s =>
        {
            s.HelpWriter = help;
            s.CaseSensitive = true;
            s.CaseInsensitiveEnumValues = false;
        });
        var result = parser.ParseArguments<AllocateOptions, ReleaseOptions, StatusOptions, CheckOptions, RepairOptions, AdoptOptions,
            GanetiOptions, ForgetOptions, DhcpOptions, DownOptions, ArrivedOptions>(args);
        return result.MapResult(
            (AllocateOptions o) => AdminCommands.Allocate(o),
            (ReleaseOptions o) => AdminCommands.Release(o),
            (StatusOptions o) => AdminCommands.Status(o),
            (CheckOptions o) => AdminCommands.Check(o),
            (RepairOptions o) => AdminCommands.Repair(o),
            (AdoptOptions o) => AdminCommands.Adopt(o),
            (GanetiOptions o) => AdminCommands.Ganeti(o),
            (ForgetOptions o) => AdminCommands.Forget(o),
            (DhcpOptions o) => AdminCommands.Dhcp(o),
            (DownOptions o) => AdminCommands.Down(o),
            (ArrivedOptions o) => AdminCommands.Arrived(o),
            errors =>
            {
                var list = errors.ToList();
                // --help and --version are answers, not errors: stdout and exit 0.
                if (list.Any(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError or ErrorType.VersionRequestedError))
                {
                    Console.Out.Write(help.ToString());
                    return Entry.Ok;
                }
                // Anything else is one line naming the problem (the usage is one --help away).
                var first = list.FirstOrDefault();
                string why = first switch
                {
                    BadVerbSelectedError bad => "unknown verb " + GntCom.Inputs.Quote.Value(bad.Token),
                    NoVerbSelectedError => "no verb given",
                    null => "bad usage",
                    _ => SentenceBuilder.Create().FormatError(first).TrimEnd('.'),
                };
                string verb = args.Length > 0 && !args[0].StartsWith('-') && first is not BadVerbSelectedError ? " " + args[0] : "";
                throw new InvalidInputException(why + " (see gnt-com" + verb + " --help)");
            });
    }
}
