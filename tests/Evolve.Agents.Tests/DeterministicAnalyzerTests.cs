using Evolve.Agents.Offline;
using Evolve.Core;
using Evolve.Core.Evaluation;
using Xunit;

namespace Evolve.Agents.Tests;

public sealed class DeterministicAnalyzerTests
{
    private readonly DeterministicAnalyzer _analyzer = new();

    private static readonly NodeView Parent = Programs.Node("n00003", "// parent", score: 0.9,
        metrics: new Dictionary<string, double> { ["sum_radii"] = 0.9, ["validity"] = 1, ["target_ratio"] = 0.341 });

    private static CascadeResult Cascade(NodeStatus status, string stage, int index, IReadOnlyDictionary<string, double> metrics, string? error) =>
        new(status, stage, index, metrics, status == NodeStatus.Ok ? metrics["sum_radii"] : null, error,
            [new StageResult(stage, index, status == NodeStatus.Ok, status, metrics, error, TimeSpan.FromMilliseconds(20))]);

    private static AnalysisRequest Request(NodeView candidate, CascadeResult? cascade) =>
        new("pack circles", candidate, cascade, Parent, "sum_radii", TotalStages: 2);

    [Fact]
    public async Task Improved_candidate_reports_deltas_and_a_reusable_lesson()
    {
        var metrics = new Dictionary<string, double> { ["sum_radii"] = 0.95, ["validity"] = 1, ["target_ratio"] = 0.3605 };
        var candidate = Programs.Node("n00010", "// child", score: 0.95, metrics: metrics,
            motivation: "Perturbed 2 of 55 tunable literals by ~4% (relative Gaussian noise): 0.0833→0.0861 at line 11, 3→4 at line 19.");

        var report = await _analyzer.AnalyzeAsync(Request(candidate, Cascade(NodeStatus.Ok, "score", 1, metrics, null)), CancellationToken.None);

        Assert.Contains("at stage 'score' (2/2)", report.Summary);
        Assert.Contains("vs best parent n00003", report.Summary);
        Assert.Contains("sum_radii 0.9→0.95 (+0.05)", report.Summary);
        Assert.Contains("validity 1 (=)", report.Summary);
        Assert.StartsWith("Changing the program (perturbed 2 of 55 tunable literals", report.Insights[0]);
        Assert.Contains("improved sum_radii by +0.05, +5.56% (0.9→0.95)", report.Insights[0]);
        Assert.Contains(report.Insights, i => i.Contains("target_ratio moved 0.341→0.3605", StringComparison.Ordinal));
        Assert.Contains("Continue in this direction", report.NextSteps);

        var again = await _analyzer.AnalyzeAsync(Request(candidate, Cascade(NodeStatus.Ok, "score", 1, metrics, null)), CancellationToken.None);
        Assert.Equal(report.ToText(), again.ToText());
    }

    [Fact]
    public async Task Worse_candidate_says_it_lowered_the_score_and_to_revert()
    {
        var metrics = new Dictionary<string, double> { ["sum_radii"] = 0.85, ["validity"] = 1, ["target_ratio"] = 0.32 };
        var candidate = Programs.Node("n00011", "// child", score: 0.85, metrics: metrics, motivation: "Shrink the corner circles.");
        var report = await _analyzer.AnalyzeAsync(Request(candidate, Cascade(NodeStatus.Ok, "score", 1, metrics, null)), CancellationToken.None);
        Assert.Contains("lowered sum_radii by -0.05", report.Insights[0]);
        Assert.Contains("shrink the corner circles", report.Insights[0]);
        Assert.Contains("Revert", report.NextSteps);
    }

    [Fact]
    public async Task Failed_candidate_reports_status_first_error_line_and_stage()
    {
        var candidate = Programs.Node("n00012", "// child", score: null, status: NodeStatus.CompileError, stageReached: 0,
            error: "(12,5): CS1002: ; expected\n(13,1): CS1513: } expected", motivation: "Use a hexagonal layout.");
        var report = await _analyzer.AnalyzeAsync(Request(candidate, cascade: null), CancellationToken.None);
        Assert.Equal("Failed: compile_error before evaluation: (12,5): CS1002: ; expected.", report.Summary);
        Assert.DoesNotContain("CS1513", report.Summary);
        Assert.Equal("Changing the program (use a hexagonal layout) caused compile_error: (12,5): CS1002: ; expected.", Assert.Single(report.Insights));
        Assert.Contains("compiler", report.NextSteps);
    }

    [Fact]
    public async Task Rejected_candidate_names_the_stage_and_its_metrics()
    {
        var metrics = new Dictionary<string, double> { ["validity"] = 0, ["sum_radii"] = 1.2 };
        var candidate = Programs.Node("n00013", "// child", score: null, metrics: metrics, status: NodeStatus.RejectedAtStage, stageReached: 1,
            error: "validity 0 below threshold 1: circles 3 and 4 overlap", motivation: "Grow every radius by 10%.");
        var cascade = Cascade(NodeStatus.RejectedAtStage, "validity", 0, metrics, candidate.Error);
        var report = await _analyzer.AnalyzeAsync(Request(candidate, cascade), CancellationToken.None);
        Assert.StartsWith("Failed: rejected_at_stage at stage 'validity' (1/2): validity 0 below threshold 1", report.Summary);
        Assert.Contains("validity 1→0 (-1)", report.Summary);
        Assert.Contains("fell below the threshold at stage 'validity'", Assert.Single(report.Insights));
        Assert.Contains("grow every radius by 10%", report.Insights[0]);
    }
}
