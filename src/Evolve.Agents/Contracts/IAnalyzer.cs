using Evolve.Core.Evaluation;

namespace Evolve.Agents;

/// <summary>What the analyzer looks at after a candidate was evaluated (or failed before).</summary>
/// <param name="TaskStatement">The task's problem statement.</param>
/// <param name="Candidate">The candidate as it will be committed: status, error, metrics, score, motivation, code.</param>
/// <param name="Cascade">The evaluation cascade, when one ran (null for compile errors, duplicates, research failures).</param>
/// <param name="BestParent">The best-scoring parent to compare against; null for a root without parents.</param>
/// <param name="PrimaryMetric">The task's primary score metric.</param>
/// <param name="TotalStages">Number of stages the task's cascade defines.</param>
public sealed record AnalysisRequest(
    string TaskStatement,
    NodeView Candidate,
    CascadeResult? Cascade,
    NodeView? BestParent,
    string PrimaryMetric,
    int TotalStages);

/// <summary>A compact report; every insight becomes a cognition item with the candidate as provenance.</summary>
public sealed record AnalysisReport(string Summary, IReadOnlyList<string> Insights, string NextSteps, string? Model = null, TokenUsage? Usage = null)
{
    /// <summary>The text stored in the node's analysis field.</summary>
    public string ToText() =>
        Insights.Count == 0
            ? $"{Summary}\nNext: {NextSteps}"
            : $"{Summary}\nInsights:\n{string.Join("\n", Insights.Select(i => "- " + i))}\nNext: {NextSteps}";
}

public interface IAnalyzer
{
    Task<AnalysisReport> AnalyzeAsync(AnalysisRequest request, CancellationToken cancellationToken);
}
