using Evolve.Core;
using Evolve.Storage;

namespace Evolve.Reporting;

/// <summary>What a campaign spent on models and time, summed over its nodes.</summary>
public sealed record CampaignSpend(long InputTokens, long OutputTokens, double CostUsd, double ResearchSeconds, double EvaluationSeconds)
{
    public bool HasTokens => InputTokens > 0 || OutputTokens > 0 || CostUsd > 0;
}

/// <summary>
/// The state of a campaign at a glance (`evolve status`, and the closing lines of `evolve run`): rounds, outcomes,
/// best node, improvement over the initial program (round 0), spend.
/// </summary>
public sealed record CampaignSummary
{
    public required CampaignLocation Location { get; init; }
    public required long Nodes { get; init; }
    public required long MaxRound { get; init; }
    public required IReadOnlyList<long> MissingRounds { get; init; }
    public required long Ok { get; init; }
    public required long Failed { get; init; }
    /// <summary>Node count per status, most frequent first (statuses by wire name in JSON).</summary>
    public required IReadOnlyDictionary<NodeStatus, long> ByStatus { get; init; }
    public required NodeSummary? Best { get; init; }
    public required NodeSummary? Initial { get; init; }
    public required CampaignSpend Spend { get; init; }
    public DateTimeOffset? FirstCommitAt { get; init; }
    public DateTimeOffset? LastCommitAt { get; init; }

    /// <summary>Best score minus the initial program's; null unless both scored.</summary>
    public double? Improvement => Best?.Score is { } best && Initial is { Status: NodeStatus.Ok, Score: { } initial } ? best - initial : null;

    /// <summary><see cref="Improvement"/> relative to the initial score, in percent; null when the initial score is 0.</summary>
    public double? ImprovementPercent => Improvement is { } delta && Initial?.Score is { } initial && initial != 0 ? 100 * delta / Math.Abs(initial) : null;

    public static async Task<CampaignSummary> LoadAsync(CampaignStorage storage, string? task = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var location = new CampaignLocation(storage.Directory.Root, storage.Nodes.CampaignId,
            task ?? CampaignLocator.ReadTaskName(storage.Directory.Root) ?? storage.Nodes.CampaignId);
        return await LoadAsync(storage.Nodes, location, cancellationToken);
    }

    public static async Task<CampaignSummary> LoadAsync(INodeStore nodes, CampaignLocation location, CancellationToken cancellationToken = default)
    {
        var counts = await nodes.CountAsync(cancellationToken);
        var best = (await nodes.TopAsync(1, cancellationToken: cancellationToken)).FirstOrDefault();
        var initial = await nodes.GetByRoundAsync(0, cancellationToken);

        long input = 0, output = 0;
        double cost = 0, research = 0, evaluation = 0;
        DateTimeOffset? first = null, last = null;
        await foreach (var node in nodes.AllAsync(cancellationToken))
        {
            input += node.Costs.InputTokens;
            output += node.Costs.OutputTokens;
            cost += node.Costs.CostUsd;
            research += node.Costs.ResearchSeconds;
            evaluation += node.Costs.EvaluationSeconds;
            if (first is null || node.CreatedAt < first) first = node.CreatedAt;
            if (last is null || node.CreatedAt > last) last = node.CreatedAt;
        }

        return new CampaignSummary
        {
            Location = location,
            Nodes = counts.Total,
            MaxRound = counts.MaxRound,
            MissingRounds = await nodes.MissingRoundsAsync(cancellationToken),
            Ok = counts.Ok,
            Failed = counts.Failed,
            ByStatus = counts.ByStatus.OrderByDescending(p => p.Value).ThenBy(p => p.Key).ToDictionary(p => p.Key, p => p.Value),
            Best = best,
            Initial = initial is null ? null : new NodeSummary(initial.Id, initial.Round, initial.Name, initial.Score, initial.Status, initial.Island, initial.Visits),
            Spend = new CampaignSpend(input, output, cost, research, evaluation),
            FirstCommitAt = first,
            LastCommitAt = last,
        };
    }

    /// <summary>The summary as aligned terminal lines.</summary>
    public IReadOnlyList<string> ToLines()
    {
        var lines = new List<string>
        {
            Line("campaign", $"{Location.CampaignId}  ({Location.Directory})"),
            Line("task", Location.Task),
            Line("rounds", Nodes == 0 ? "none committed yet" : $"{Count(Nodes)} done (round 0 to {MaxRound})" +
                (MissingRounds.Count == 0 ? "" : $"; {MissingRounds.Count} missing: {string.Join(", ", MissingRounds.Take(10))}{(MissingRounds.Count > 10 ? ", …" : "")}")),
            Line("outcomes", $"{Count(Ok)} ok, {Count(Failed)} failed" + (Failed == 0 ? "" :
                " (" + string.Join(", ", ByStatus.Where(p => p.Key != NodeStatus.Ok).Select(p => $"{p.Key.ToWireName()} {Count(p.Value)}")) + ")")),
            Line("best", Best is null ? "no ok node yet" : $"{ReportFormat.Score(Best.Score)}  {Best.Id} (round {Best.Round}) {Name(Best.Name)}"),
            Line("initial", Initial switch
            {
                null => "round 0 not committed",
                { Status: NodeStatus.Ok } i => $"{ReportFormat.Score(i.Score)}  {i.Id} (round 0)",
                { } i => $"round 0 failed ({i.Status.ToWireName()})",
            }),
        };
        if (Improvement is { } delta)
            lines.Add(Line("improvement", ReportFormat.Signed(delta) + (ImprovementPercent is { } pct ? $" ({ReportFormat.Signed(Math.Round(pct, 2))} %)" : "") + " over round 0"));
        if (Spend.HasTokens)
            lines.Add(Line("spend", $"{Count(Spend.InputTokens)} input + {Count(Spend.OutputTokens)} output tokens, {ReportFormat.Usd(Spend.CostUsd)}"));
        lines.Add(Line("time", $"research {ReportFormat.Seconds(Spend.ResearchSeconds)}, evaluation {ReportFormat.Seconds(Spend.EvaluationSeconds)} (summed over nodes)"));
        lines.Add(Line("last commit", ReportFormat.Time(LastCommitAt)));
        return lines;
    }

    private static string Count(long value) => ReportFormat.Count(value);
    private static string Name(string name) => name.Length == 0 ? "" : $"\"{name}\"";
    private static string Line(string label, string value) => $"{label,-12} {value}";
}
