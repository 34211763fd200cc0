using System.Text.Json;
using Evolve.Core;
using Evolve.Core.Evaluation;
using Xunit;

namespace Evolve.Agents.Tests;

/// <summary>Agent inputs and outputs travel as workflow activity payloads: they must survive a JSON round trip.</summary>
public sealed class PayloadSerializationTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static T RoundTrip<T>(T value) => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, Web), Web)!;

    [Fact]
    public async Task Research_request_and_outcome_round_trip()
    {
        var root = Programs.Node("n00002", Programs.Initial, metrics: new Dictionary<string, double> { ["sum_radii"] = 2.1 });
        var request = new ResearchRequest("pack circles", root, [Programs.Node("n00001", Programs.Initial)],
            [Programs.Node("n00003", "bad", score: null, status: NodeStatus.Timeout, error: "ran past 10 s")],
            [new RetrievedCognition("c1", "hexagonal layouts pack densely", 0.8)], 4, 9);
        var back = RoundTrip(request);
        Assert.Equal(root.Code, back.Root.Code);
        Assert.Equal(2.1, back.Root.Metrics["sum_radii"]);
        Assert.Equal(NodeStatus.Timeout, back.Lessons[0].Status);
        Assert.Equal("c1", back.Cognition[0].Id);

        var outcome = await new Offline.OfflineResearcher(new Offline.OfflineResearcherOptions()).ProposeAsync(back, CancellationToken.None);
        var outcomeBack = RoundTrip(outcome);
        Assert.True(outcomeBack.Succeeded);
        Assert.Equal(outcome.Proposal, outcomeBack.Proposal);
        Assert.False(RoundTrip(ResearchOutcome.Failure("garbage reply", "llm", "m", new TokenUsage(10, 2))).Succeeded);
    }

    [Fact]
    public async Task Analysis_request_and_report_round_trip()
    {
        var metrics = new Dictionary<string, double> { ["sum_radii"] = 0.95 };
        var cascade = new CascadeResult(NodeStatus.Ok, "score", 1, metrics, 0.95, null,
            [new StageResult("score", 1, true, NodeStatus.Ok, metrics, null, TimeSpan.FromMilliseconds(12), "out", "")]);
        var request = new AnalysisRequest("t", Programs.Node("n00005", "c", 0.95, metrics: metrics), cascade,
            Programs.Node("n00004", "p", 0.9, metrics: new Dictionary<string, double> { ["sum_radii"] = 0.9 }), "sum_radii", 2);
        var back = RoundTrip(request);
        Assert.Equal(TimeSpan.FromMilliseconds(12), back.Cascade!.Stages[0].Duration);

        var analyzer = new Offline.DeterministicAnalyzer();
        var report = await analyzer.AnalyzeAsync(back, CancellationToken.None);
        Assert.Equal((await analyzer.AnalyzeAsync(request, CancellationToken.None)).ToText(), report.ToText());
        var reportBack = RoundTrip(report);
        Assert.Equal(report.Insights, reportBack.Insights);
        Assert.Equal(report.Summary, reportBack.Summary);
    }

    [Fact]
    public void Novelty_verdict_and_debug_outcome_round_trip()
    {
        var verdict = RoundTrip(new NoveltyVerdict(false, "n00001", 0.97, "near duplicate"));
        Assert.Equal("n00001", verdict.DuplicateOf);
        Assert.Equal(0.97, verdict.Similarity);
        var debug = RoundTrip(DebugOutcome.Success("code", 2, "m", new TokenUsage(5, 7)));
        Assert.True(debug.Repaired);
        Assert.Equal(2, debug.Attempt);
        Assert.Equal(7, debug.Usage.OutputTokens);
    }
}
