using System;
using System.IO;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Campaign;

/// <summary>
/// A long fault campaign against out/: run only when asked (scripts/campaign.sh sets
/// GNT_COM_CAMPAIGN=1), as root. Each writes its figures to campaign-results/.
/// </summary>
public sealed class CampaignFactAttribute : FactAttribute
{
    public CampaignFactAttribute(params string[] tools)
    {
        Skip = Environment.GetEnvironmentVariable("GNT_COM_CAMPAIGN") != "1"
            ? "a campaign: run scripts/campaign.sh"
            : Requirements.Missing(tools.Length == 0 ? new[] { "ip" } : tools);
    }
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

    /// <summary>The seed of this run: GNT_COM_CAMPAIGN_SEED, else the time (reported, so a run can be repeated).</summary>
    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("GNT_COM_CAMPAIGN_SEED"), out int s) ? s : Environment.TickCount & 0x7fffffff;
}
