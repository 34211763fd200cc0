using Evolve.Storage;

namespace Evolve.Reporting;

/// <summary>The report files and summary written when a campaign stops.</summary>
public sealed record CampaignReportFiles(string ScorePlotPath, string LineagePagePath, CampaignSummary Summary);

/// <summary>One call for the end of `evolve run`: score plot, lineage page and the summary to print.</summary>
public static class CampaignReport
{
    public static async Task<CampaignReportFiles> WriteAsync(CampaignStorage storage, string? task = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var summary = await CampaignSummary.LoadAsync(storage, task, cancellationToken);
        if (summary.Nodes == 0)
            throw new CampaignUnavailableException($"Campaign {storage.Nodes.CampaignId} has no nodes yet; there is nothing to report.");
        var plot = await CampaignPlots.WriteScorePlotAsync(storage, cancellationToken);
        var lineage = await CampaignPlots.WriteLineagePageAsync(storage, cancellationToken);
        return new CampaignReportFiles(plot, lineage, summary);
    }
}
