using System;
using System.IO;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Campaign;

/// <summary>
/// A fault campaign against out/, as root: in `make test` at a size that keeps the run
/// short and with a fixed seed (a failure can be repeated), at full size with a random
/// seed when scripts/campaign.sh asks for it (GNT_COM_CAMPAIGN=1). Each writes its figures
/// to campaign-results/.
/// </summary>
public sealed class CampaignFactAttribute : FactAttribute
{
    public CampaignFactAttribute(params string[] tools)
    {
        Skip = Requirements.Missing(tools.Length == 0 ? new[] { "ip" } : tools);
    }

    /// <summary>Whether the full campaign was asked for.</summary>
    public static bool Full => Environment.GetEnvironmentVariable("GNT_COM_CAMPAIGN") == "1";

    /// <summary>A size: the environment's <paramref name="variable"/>, else <paramref name="full"/> or, in make test, <paramref name="quick"/>.</summary>
    public static int Size(string variable, int full, int quick) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out int n) ? n : Full ? full : quick;
}

internal static class Report
{
    /// <summary>Appends <paramref name="text"/> to campaign-results/NAME.md (and returns it, for the test's output).</summary>
    public static string Write(string name, string text)
    {
        string dir = Path.Combine(Repo.Root, "campaign-results");
        Directory.CreateDirectory(dir);
        File.AppendAllText(Path.Combine(dir, name + ".md"), "## " + DateTime.UtcNow.ToString("u") + "\n\n" + text + "\n");
        return text;
    }

    /// <summary>The seed of this run (reported, so a run can be repeated): GNT_COM_CAMPAIGN_SEED, else the time for a full campaign, else a fixed one.</summary>
    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("GNT_COM_CAMPAIGN_SEED"), out int s) ? s
        : CampaignFactAttribute.Full ? Environment.TickCount & 0x7fffffff : 20261128;
}
