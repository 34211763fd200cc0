namespace Evolve.Core.Evaluation;

/// <summary>The outcome of a candidate's whole evaluation cascade: what the node records.</summary>
/// <param name="Status">Final node status: Ok when every stage passed, otherwise the status of the stage that stopped it.</param>
/// <param name="StageReached">Name of the last stage that ran (the rejecting stage on failure).</param>
/// <param name="StageReachedIndex">Zero-based index of that stage.</param>
/// <param name="Metrics">Metrics of all stages that ran, merged (a later stage overrides an earlier one's key).</param>
/// <param name="PrimaryScore">The task's primary metric when the cascade finished Ok and reported it; otherwise null.</param>
/// <param name="Error">Readable error of the stopping stage; null when Ok.</param>
/// <param name="Stages">Per-stage results in order.</param>
public sealed record CascadeResult(
    NodeStatus Status,
    string StageReached,
    int StageReachedIndex,
    IReadOnlyDictionary<string, double> Metrics,
    double? PrimaryScore,
    string? Error,
    IReadOnlyList<StageResult> Stages)
{
    /// <summary>
    /// Folds per-stage results into the node's outcome. Pure and deterministic, so workflow code may call it
    /// after running one activity per stage.
    /// </summary>
    /// <param name="stages">Results of the stages that ran, in order; the cascade stops at the first that did not pass.</param>
    /// <param name="totalStages">Number of stages the task defines.</param>
    /// <param name="primaryMetric">The task's primary score metric.</param>
    public static CascadeResult Combine(IReadOnlyList<StageResult> stages, int totalStages, string primaryMetric)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentException.ThrowIfNullOrWhiteSpace(primaryMetric);

        var merged = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var stage in stages)
        {
            foreach (var (key, value) in stage.Metrics) merged[key] = value;
        }

        if (stages.Count == 0)
        {
            throw new ArgumentException("at least one stage must have run before the cascade can be combined", nameof(stages));
        }

        var last = stages[^1];
        if (!last.Passed)
        {
            return new CascadeResult(last.Status, last.Stage, last.StageIndex, merged, null, last.Error, stages);
        }

        if (stages.Count < totalStages)
        {
            // Not a failure of the candidate: the caller stopped early. Report it rather than claim Ok.
            return new CascadeResult(NodeStatus.Ok, last.Stage, last.StageIndex, merged, null,
                $"cascade incomplete: {stages.Count} of {totalStages} stages ran", stages);
        }

        if (!merged.TryGetValue(primaryMetric, out var score) || !double.IsFinite(score))
        {
            return new CascadeResult(NodeStatus.InvalidOutput, last.Stage, last.StageIndex, merged, null,
                $"the evaluator did not report the primary metric '{primaryMetric}' as a finite number " +
                $"(reported: {(merged.Count == 0 ? "nothing" : string.Join(", ", merged.Keys))})", stages);
        }

        return new CascadeResult(NodeStatus.Ok, last.Stage, last.StageIndex, merged, score, null, stages);
    }
}
