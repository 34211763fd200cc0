using System.Globalization;
using Evolve.Core;

namespace Evolve.Agents.Offline;

/// <summary>
/// The analyzer without a model: metric deltas against the best parent, the failure class and the stage reached,
/// and one or two lessons in reusable form. The same request always gives the same report.
/// </summary>
public sealed class DeterministicAnalyzer : IAnalyzer
{
    // Motivations can be long; a lesson quotes only the start of the change it describes.
    private const int MaxChangeLength = 160;

    public Task<AnalysisReport> AnalyzeAsync(AnalysisRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Analyze(request));
    }

    private static AnalysisReport Analyze(AnalysisRequest request)
    {
        var candidate = request.Candidate;
        var change = ChangeOf(candidate);
        var stage = StageText(request);
        if (candidate.Status != NodeStatus.Ok)
        {
            var error = FirstLine(candidate.Error ?? request.Cascade?.Error) ?? "no error message";
            var status = candidate.Status.ToWireName();
            var summary = $"Failed: {status} {stage}: {error}.";
            // A candidate that never produced metrics has nothing to compare; listing the parent's would be noise.
            if (candidate.Metrics.Count > 0) summary += $" Metrics: {Deltas(candidate, request.BestParent, request.PrimaryMetric)}.";
            var insight = candidate.Status switch
            {
                NodeStatus.Duplicate => $"{change} reproduced an existing program ({error}); vary something else.",
                NodeStatus.RejectedAtStage => $"{change} fell below the threshold {stage}: {error}.",
                _ => $"{change} caused {status}: {error}.",
            };
            var next = candidate.Status switch
            {
                NodeStatus.CompileError or NodeStatus.StaticCheckFailed => "Keep the parent's structure and fix or avoid the construct the compiler rejected.",
                NodeStatus.Timeout or NodeStatus.OutOfMemory => "Bound loops and allocations; stay within the stage's time and memory budget.",
                NodeStatus.InvalidOutput or NodeStatus.RejectedAtStage => "Return to the parent and make a smaller change that keeps the output valid.",
                NodeStatus.Duplicate => "Try a different change or a larger step.",
                _ => "Return to the best parent and try a different direction.",
            };
            return new AnalysisReport(summary, [insight], next);
        }

        var primary = request.PrimaryMetric;
        var parent = request.BestParent;
        var okSummary = $"Ok {stage}: {primary} {Value(candidate.Score)}";
        if (parent?.Score is not { } parentScore || candidate.Score is not { } score)
        {
            var rootDeltas = Deltas(candidate, parent, primary);
            return new AnalysisReport(
                okSummary + (rootDeltas.Length > 0 ? $"; {rootDeltas}." : "."),
                candidate.Score is { } s ? [$"{change} reached {primary} {Value(s)}."] : [],
                "Use it as a baseline and refine its parameters.");
        }

        var delta = score - parentScore;
        var verdict = delta > 0 ? "improved" : delta < 0 ? "lowered" : "did not change";
        var summaryText = $"{okSummary} vs best parent {parent.Id} ({Value(parentScore)}): {Signed(delta)}{Relative(delta, parentScore)}. Deltas: {Deltas(candidate, parent, primary)}.";
        var insights = new List<string>
        {
            delta == 0
                ? $"{change} did not change {primary} ({Value(score)})."
                : $"{change} {verdict} {primary} by {Signed(delta)}{Relative(delta, parentScore)} ({Value(parentScore)}→{Value(score)}).",
        };
        var secondary = LargestSecondaryChange(candidate, parent, primary);
        if (secondary is not null) insights.Add(secondary);
        var nextSteps = delta > 0
            ? "Continue in this direction: repeat the change with a similar or slightly larger step."
            : delta < 0
                ? "Revert this change; try the opposite direction or a smaller step."
                : "The change is neutral; try a larger step or other parameters.";
        return new AnalysisReport(summaryText, insights, nextSteps);
    }

    private static string ChangeOf(NodeView candidate)
    {
        var motivation = FirstLine(candidate.Motivation);
        if (string.IsNullOrWhiteSpace(motivation)) motivation = string.IsNullOrWhiteSpace(candidate.Name) ? $"the change of {candidate.Id}" : candidate.Name;
        motivation = motivation.TrimEnd('.');
        if (motivation.Length > MaxChangeLength) motivation = motivation[..MaxChangeLength].TrimEnd() + "…";
        return char.IsUpper(motivation[0]) && motivation.Length > 1 && !char.IsUpper(motivation[1])
            ? $"Changing the program ({char.ToLowerInvariant(motivation[0])}{motivation[1..]})"
            : $"Changing the program ({motivation})";
    }

    private static string StageText(AnalysisRequest request)
    {
        if (request.Cascade is { } cascade)
            return $"at stage '{cascade.StageReached}' ({cascade.StageReachedIndex + 1}/{Math.Max(request.TotalStages, cascade.StageReachedIndex + 1)})";
        return request.Candidate.StageReached == 0
            ? "before evaluation"
            : $"at stage {request.Candidate.StageReached}/{request.TotalStages}";
    }

    /// <summary>"sum_radii 0.9→0.95 (+0.05), validity 1" — primary metric first, then the rest by name.</summary>
    private static string Deltas(NodeView candidate, NodeView? parent, string primary)
    {
        var keys = candidate.Metrics.Keys.Union(parent?.Metrics.Keys ?? [])
            .OrderBy(k => k == primary ? 0 : 1).ThenBy(k => k, StringComparer.Ordinal);
        var parts = new List<string>();
        foreach (var key in keys)
        {
            var has = candidate.Metrics.TryGetValue(key, out var now);
            double before = 0;
            var had = parent is not null && parent.Metrics.TryGetValue(key, out before);
            if (has && had) parts.Add(now == before ? $"{key} {Value(now)} (=)" : $"{key} {Value(before)}→{Value(now)} ({Signed(now - before)})");
            else if (has) parts.Add($"{key} {Value(now)}");
            else parts.Add($"{key} missing (parent {Value(before)})");
        }
        return string.Join(", ", parts);
    }

    private static string? LargestSecondaryChange(NodeView candidate, NodeView parent, string primary)
    {
        var best = candidate.Metrics
            .Where(m => m.Key != primary && parent.Metrics.ContainsKey(m.Key) && m.Value != parent.Metrics[m.Key])
            .Select(m => (m.Key, Before: parent.Metrics[m.Key], After: m.Value))
            .OrderByDescending(m => Math.Abs(m.After - m.Before) / Math.Max(Math.Abs(m.Before), 1e-12))
            .ThenBy(m => m.Key, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Key is null ? null : $"Along with it, {best.Key} moved {Value(best.Before)}→{Value(best.After)} ({Signed(best.After - best.Before)}).";
    }

    private static string? FirstLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var line = text.Trim().Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] + "…" : line;
    }

    private static string Value(double? value) => value is { } v ? v.ToString("0.######", CultureInfo.InvariantCulture) : "n/a";

    private static string Signed(double value) => (value >= 0 ? "+" : "") + value.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Relative(double delta, double reference) =>
        reference == 0 ? "" : $", {(delta >= 0 ? "+" : "")}{(delta / Math.Abs(reference) * 100).ToString("0.##", CultureInfo.InvariantCulture)}%";
}
