using Evolve.Core;
using Evolve.DataCuration.Evolution;
using Evolve.DataCuration.Strategies;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Evolve.Workflows.Tests;

/// <summary>
/// The data-curation task end to end: a short campaign with the offline researcher on small generated samples, and a
/// scripted LLM judge whose new issues become cognition items with their node as provenance.
/// </summary>
public sealed class DataCurationCampaignTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_short_data_curation_campaign_scores_the_baseline_commits_every_round_and_keeps_the_judges_new_issues()
    {
        string samples = Directory.CreateTempSubdirectory("evolve-curation-samples-").FullName;
        try
        {
            var judge = new ScriptedJudge();
            await using var host = await TestHost.StartAsync(services => services
                .AddSingleton<IChatClient>(judge)
                .AddDataCurationTask(o =>
                {
                    o.SampleCacheDirectory = samples;
                    o.Quick = new SampleSize(1, 40);
                    o.Full = new SampleSize(2, 40);
                    o.JudgePairs = 2;
                }));
            var campaign = await host.StartAsync(DataCurationTaskFolder.Definition, "curation", ("budgets.rounds", "3"), ("budgets.parallel", "1"));

            var (_, result) = await host.WaitAsync(campaign, timeoutSeconds: 300);

            Assert.Equal(StopReasons.RoundsDone, result.StopReason);
            Assert.Equal(3, result.RoundsDone);
            var storage = await host.StorageAsync(campaign);
            var nodes = await storage.Nodes.AllAsync().ToListAsync();
            foreach (var node in nodes) output.WriteLine($"round {node.Round}: {node.Status} score {node.Score} {node.Error}");
            Assert.Equal([0L, 1, 2, 3], nodes.Select(n => n.Round));

            // The baseline strategy curates the sample well: content kept, noise removed, judged.
            var seed = nodes[0];
            Assert.True(seed.Status == NodeStatus.Ok, $"{seed.Status}: {seed.Error}");
            Assert.True(seed.Score > 0, $"seed score {seed.Score}");
            Assert.Equal(2, seed.StageReached);
            Assert.True(seed.Metrics["content_f1"] > 0.5, $"content_f1 {seed.Metrics["content_f1"]}");
            Assert.Equal(7, seed.Metrics["judge_score"]);
            Assert.Equal(result.InitialScore, seed.Score);
            // Every later round was evaluated or failed with a readable reason.
            foreach (var node in nodes.Skip(1))
                Assert.True(node.Status == NodeStatus.Ok ? node.Score > 0 : !string.IsNullOrWhiteSpace(node.Error), $"round {node.Round}: {node.Status} {node.Error}");

            // The judge's new issues are cognition items; each names the round whose evaluation raised it.
            var judged = (await storage.Cognition.ListAsync()).Where(i => i.Source == "llm-judge").ToList();
            var fromSeed = Assert.Single(judged, i => i.Content.Contains(ScriptedJudge.IssueFor(0), StringComparison.Ordinal));
            Assert.Equal(Node.IdForRound(0), fromSeed.SupportingNodeIds[0]);
            Assert.Equal(0, fromSeed.Round);
            Assert.Equal("full", fromSeed.Metadata["stage"]);
            Assert.Equal(DataCurationTaskFolder.TaskName, fromSeed.Metadata["task"]);
            // Later judged rounds are supported too (as new items, or merged into a similar one).
            foreach (var node in nodes.Skip(1).Where(n => n.Metrics.ContainsKey("judge_new_issues")))
                Assert.Contains(judged, i => i.SupportingNodeIds.Contains(node.Id));
        }
        finally
        {
            Directory.Delete(samples, recursive: true);
        }
    }

    /// <summary>Rates every pair 7 and names one issue per judged evaluation (new each time, so each becomes an item).</summary>
    private sealed class ScriptedJudge : IChatClient
    {
        private int _calls;

        private static readonly string[] Issues =
        [
            "tables lost their column separators",
            "cookie banner fragments survived in page footers",
            "phone numbers inside URLs were left unmasked",
            "subscripts vanished from chemical formulas",
            "breadcrumb navigation stayed at the top of articles",
            "code indentation collapsed into single spaces",
        ];

        public static string IssueFor(int evaluation) => Issues[evaluation % Issues.Length];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            // Two pairs per judged evaluation: both name that evaluation's issue.
            var evaluation = Interlocked.Increment(ref _calls) - 1;
            var reply = $$"""{"score": 7, "issues": ["{{IssueFor(evaluation / 2)}}"]}""";
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply)));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
