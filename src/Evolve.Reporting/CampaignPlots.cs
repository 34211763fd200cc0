using Evolve.Core;
using Evolve.Storage;

namespace Evolve.Reporting;

/// <summary>
/// The report files of a campaign, written into its folder: what `evolve plot`, `evolve lineage --html` and the end of
/// `evolve run` call. Each returns the full path of the file it wrote.
/// </summary>
public static class CampaignPlots
{
    public const string ScorePlotFileName = "score.png";
    public const string LineagePageFileName = "lineage.html";

    public static string DefaultScorePlotPath(CampaignStorage storage) => Path.Combine(storage.Directory.PlotsDirectory, ScorePlotFileName);
    public static string DefaultLineagePagePath(CampaignStorage storage) => Path.Combine(storage.Directory.PlotsDirectory, LineagePageFileName);

    /// <summary>Writes <c>plots/score.png</c> of the campaign; returns its path.</summary>
    public static Task<string> WriteScorePlotAsync(CampaignStorage storage, CancellationToken cancellationToken = default) =>
        WriteScorePlotAsync(storage.Nodes, DefaultScorePlotPath(storage), null, cancellationToken);

    /// <summary>Writes the score plot to <paramref name="path"/>; the default title names the campaign and its best score.</summary>
    public static async Task<string> WriteScorePlotAsync(INodeStore nodes, string path, string? title = null, CancellationToken cancellationToken = default)
    {
        var points = await nodes.BestSoFarAsync(cancellationToken);
        if (points.Count == 0)
            throw new CampaignUnavailableException($"Campaign {nodes.CampaignId} has no nodes yet; there is nothing to plot.");
        var best = points[^1].BestScore;
        title ??= $"{nodes.CampaignId}: score over {points.Count} rounds" + (best is { } b ? $" (best {ReportFormat.Score(b)})" : "");
        await ScorePlot.WritePngAsync(points, path, title, cancellationToken: cancellationToken);
        return Path.GetFullPath(path);
    }

    /// <summary>Writes <c>plots/lineage.html</c> with the best node's ancestry highlighted; returns its path.</summary>
    public static Task<string> WriteLineagePageAsync(CampaignStorage storage, CancellationToken cancellationToken = default) =>
        WriteLineagePageAsync(storage.Nodes, DefaultLineagePagePath(storage), null, cancellationToken);

    /// <summary>
    /// Writes the lineage page to <paramref name="path"/>, highlighting <paramref name="focusNodeId"/> and its ancestors
    /// (default: the best node, or the newest node when none is ok).
    /// </summary>
    public static async Task<string> WriteLineagePageAsync(INodeStore nodes, string path, string? focusNodeId = null, CancellationToken cancellationToken = default)
    {
        var all = new List<Node>();
        await foreach (var node in nodes.AllAsync(cancellationToken)) all.Add(node);
        if (all.Count == 0)
            throw new CampaignUnavailableException($"Campaign {nodes.CampaignId} has no nodes yet; there is no lineage to show.");
        var best = (await nodes.TopAsync(1, cancellationToken: cancellationToken)).FirstOrDefault()?.Id;
        var focus = focusNodeId ?? best ?? all[^1].Id;
        var highlighted = new HashSet<string>(StringComparer.Ordinal) { focus };
        foreach (var ancestor in await nodes.AncestorsAsync(focus, cancellationToken)) highlighted.Add(ancestor.Node.Id);
        var options = new LineagePageOptions($"{nodes.CampaignId}: lineage (focus {focus})", focus, highlighted, best);
        await LineagePage.WriteHtmlAsync(all, path, options, cancellationToken);
        return Path.GetFullPath(path);
    }
}
