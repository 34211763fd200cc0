using Evolve.Core;
using Evolve.Core.Evaluation;
using Evolve.Engineering.Cascade;
using Evolve.Tasks;
using Evolve.Tasks.Evaluators;
using Evolve.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evolve.Workflows.Tests;

/// <summary>
/// What a long stage's evaluator tells the loop: its progress shows in the round's custom status while it runs, and
/// the cognition items it emits land in the campaign's cognition store with the round's node as provenance.
/// </summary>
public sealed class StageProgressAndCognitionTests
{
    [Fact]
    public async Task A_slow_stage_shows_its_progress_in_the_round_status_and_its_emitted_cognition_is_ingested_once()
    {
        var evaluator = new SlowReportingEvaluator();
        await using var host = await TestHost.StartAsync(services => services.AddTaskEvaluator(SlowReportingEvaluator.EvaluatorName, _ => evaluator));
        var task = host.CirclePackingVariant(yaml => yaml.Replace("builtin: circle-packing", "builtin: " + SlowReportingEvaluator.EvaluatorName),
            SlowReportingEvaluator.EvaluatorName);
        var campaign = await host.StartAsync(task, "progress", ("budgets.rounds", "1"), ("budgets.parallel", "1"),
            ("workflow.progress_interval_seconds", "0.3"));

        // Round 0's score stage is held until the test has seen its progress in the round's custom status.
        var roundId = EvolutionCampaignWorkflow.RoundInstanceId(campaign.InstanceId, 0, 1);
        RoundStatus? status = null;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            status = (await host.Client.GetWorkflowStateAsync(roundId))?.ReadCustomStatusAs<RoundStatus>();
            if (status?.Progress?.Step == SlowReportingEvaluator.Steps) break;
            await Task.Delay(100);
        }
        // The campaign names the round in flight, so `evolve run` can show its progress.
        var campaignStatus = (await host.Client.GetWorkflowStateAsync(campaign.InstanceId))?.ReadCustomStatusAs<CampaignStatus>();
        evaluator.Release.TrySetResult();
        Assert.Equal([roundId], campaignStatus?.RunningRounds);
        Assert.NotNull(status);
        Assert.Equal(0, status.Round);
        Assert.Equal(1, status.StageIndex);
        Assert.Equal(SlowReportingEvaluator.Steps, status.Progress!.Step);
        Assert.Equal(SlowReportingEvaluator.Steps * 2, status.Progress.TotalSteps);
        Assert.Equal("score: step 5 loss 0.5000", status.Progress.Summary);
        Assert.Equal(0.5, status.Progress.Values!["loss"]);
        Assert.NotNull(status.Progress.ReportedAt);

        var (_, result) = await host.WaitAsync(campaign);
        Assert.Equal(1, result.RoundsDone);
        // Once the stage ended, its last report no longer stands for the round.
        var finished = (await host.Client.GetWorkflowStateAsync(roundId))?.ReadCustomStatusAs<RoundStatus>();
        Assert.Equal(("evaluated", 1, (StageProgress?)null), (finished?.Step, finished?.StageIndex, finished?.Progress));
        var storage = await host.StorageAsync(campaign);
        var seed = await storage.Nodes.GetByRoundAsync(0);
        Assert.Equal(NodeStatus.Ok, seed!.Status);

        // Every stage of every round emitted the same item (merged, support from each node) and round 0's score stage a
        // second one; the bad line was skipped.
        var emitted = (await storage.Cognition.ListAsync()).Where(i => i.Source == "test-evaluator").ToList();
        Assert.Equal(2, emitted.Count);
        var shared = Assert.Single(emitted, i => i.Content == SlowReportingEvaluator.SharedInsight);
        Assert.Contains(Node.IdForRound(0), shared.SupportingNodeIds);
        Assert.Equal("validity", shared.Metadata["stage"]);
        var scoreOnly = Assert.Single(emitted, i => i.Content.StartsWith("Round 0 score", StringComparison.Ordinal));
        Assert.Equal(0, scoreOnly.Round);
        Assert.Equal("score", scoreOnly.Metadata["stage"]);
        Assert.Equal("yes", scoreOnly.Metadata["checked"]);

        // A retried stage ingests the same files again: nothing new in the store.
        var count = await storage.Cognition.CountAsync();
        var round0 = Path.Combine(campaign.Input.Campaign.CampaignDirectory, "artifacts", "rounds", "r00000", "eval");
        var again = await new EmittedCognitionImporter(NullLogger<EmittedCognitionImporter>.Instance).ImportAsync(storage.Cognition,
            EvaluationCascade.EvaluatorDirectory(round0, task, 1), Node.IdForRound(0), 0, "score", CancellationToken.None);
        Assert.Single(again.Errors);
        Assert.Contains("line 2", again.Errors[0]);
        Assert.Equal(count, await storage.Cognition.CountAsync());
    }

    /// <summary>
    /// The circle-packing evaluator behind a stage that reports progress, emits cognition (with one bad line) and, in
    /// round 0's score stage, waits for the test.
    /// </summary>
    private sealed class SlowReportingEvaluator : ICandidateEvaluator
    {
        public const string EvaluatorName = "slow-reporting";
        public const int Steps = 5;
        public const string SharedInsight = "Every stage of this test emits this sentence.";
        private readonly CirclePackingEvaluator _inner = new();
        private int _heldOnce;

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string Name => EvaluatorName;

        public async Task<EvaluatorVerdict> EvaluateStageAsync(StageEvaluationContext context, CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(context.WorkDirectory);
            var lines = new List<string> { $$"""{"content": "{{SharedInsight}}", "source": "test-evaluator"}""", "not json" };
            if (context.StageIndex == 1 && Interlocked.Exchange(ref _heldOnce, 1) == 0)
            {
                lines.Add("""{"content": "Round 0 score stage: reported five steps.", "source": "test-evaluator", "metadata": {"checked": "yes"}}""");
                for (var step = 1; step <= Steps; step++)
                {
                    context.Progress!.Report(new StageProgress($"{context.Stage}: step {step} loss {step / 10.0:F4}", step, Steps * 2,
                        new Dictionary<string, double> { ["loss"] = step / 10.0 }));
                }
                await Release.Task.WaitAsync(TimeSpan.FromSeconds(120), cancellationToken);
            }
            await File.WriteAllLinesAsync(Path.Combine(context.WorkDirectory, "notes-" + EvaluatorCognition.FileSuffix), lines, cancellationToken);
            return await _inner.EvaluateStageAsync(context, cancellationToken);
        }
    }
}
