using System.Diagnostics;
using Evolve.Durable.Client;
using Evolve.Durable.Hosting;
using Evolve.Durable.Sidecar;
using Evolve.Durable.Sidecar.Hosting;
using Evolve.Tasks;
using Evolve.Workflows;
using Evolve.Workflows.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Evolve.Bench;

/// <summary>
/// One evolution round end to end on the embedded sidecar: <see cref="EvolutionRoundWorkflow"/> with the offline
/// researcher on circle packing (the candidate returns at once), rounds one after another. compile_ms is the static
/// check (warm Roslyn), run_ms the evaluation stages (sandboxed runner launched, result read back, evaluator),
/// overhead_ms everything else: workflow turns, sampling, cognition, novelty, analysis, the node commit.
/// Medians over the measured rounds, after a warm-up campaign.
/// </summary>
public sealed class RoundBenchmark : IBenchmark
{
    private const int WarmupRounds = 6;
    private const int MeasuredRounds = 30;

    public string Name => "round";
    public int Order => 50;

    public async Task<string> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        await using var sidecar = await EmbeddedSidecar.StartAsync(
            new SidecarOptions { DatabasePath = Path.Combine(context.WorkDirectory, "workflows.db") }, null, cancellationToken);
        var builder = WorkerHostBuilder.Create();
        builder.Logging.ClearProviders();
        builder.Services.AddDurableWorkflows(r => r.AddEvolutionWorkflows());
        builder.Services.AddEvolveWorkflows();
        builder.Services.UseSidecar(sidecar.Address);
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var client = host.Services.GetRequiredService<DurableWorkflowClient>();

        // Warm-up: a short campaign seeds round 0, imports the cognition and gets the compiler, runner and sidecar hot.
        var task = new TaskCatalog().Resolve("circle-packing");
        var campaign = CampaignLauncher.Prepare(task, Path.Combine(context.WorkDirectory, "campaign"), null,
            CampaignConfiguration.FlagLayer(new Dictionary<string, string?> { ["budgets.rounds"] = WarmupRounds.ToString(), ["budgets.parallel"] = "1" }));
        await CampaignLauncher.StartOrResumeAsync(client, campaign, cancellationToken);
        var warm = await client.WaitForWorkflowCompletionAsync(campaign.InstanceId, cancellationToken: cancellationToken);
        if (warm.RuntimeStatus != WorkflowRuntimeStatus.Completed)
            throw new InvalidOperationException($"warm-up campaign ended {warm.RuntimeStatus}: {warm.FailureDetails}");
        var plan = warm.ReadOutputAs<CampaignResult>()!;
        context.Log.WriteLine($"warm-up: {plan.RoundsDone} rounds, best {plan.BestScore}");

        var rounds = new List<(double Total, RoundSummary Summary)>();
        var all = Stopwatch.StartNew();
        for (var round = WarmupRounds + 1; round <= WarmupRounds + MeasuredRounds; round++)
        {
            var id = $"bench-round-{round}";
            await client.ScheduleNewWorkflowAsync(nameof(EvolutionRoundWorkflow), id,
                new RoundInput(campaign.Input.Campaign, round, campaign.Configuration.Settings.DebugRetries, task.Stages.Count, task.PrimaryMetric,
                    campaign.Configuration.Settings.ActivityAttempts, ProgressIntervalSeconds: campaign.Configuration.Settings.ProgressIntervalSeconds,
                    StageTimeoutSeconds: task.Stages.Select(s => s.Timeout.TotalSeconds).ToList()),
                cancellationToken: cancellationToken);
            var state = await client.WaitForWorkflowCompletionAsync(id, cancellationToken: cancellationToken);
            var summary = state.ReadOutputAs<RoundSummary>()
                          ?? throw new InvalidOperationException($"round {round} ended {state.RuntimeStatus}: {state.FailureDetails}");
            // The sidecar's own timestamps: from scheduling to completion, without the client's polling latency.
            rounds.Add((((state.CompletedAt ?? state.LastUpdatedAt) - state.CreatedAt).TotalMilliseconds, summary));
        }
        all.Stop();
        await LogStepTimesAsync(client, context.Log, cancellationToken);
        await host.StopAsync(CancellationToken.None);

        var evaluated = rounds.Where(r => r.Summary.EvaluateMs > 0).ToList();
        context.Log.WriteLine($"{rounds.Count} rounds in {all.Elapsed.TotalSeconds:F2}s; {evaluated.Count} evaluated; statuses: " +
                              string.Join(", ", rounds.GroupBy(r => r.Summary.Status).Select(g => $"{g.Key} {g.Count()}")));
        var compile = BenchStatistics.Median(evaluated.Select(r => r.Summary.CompileMs));
        var run = BenchStatistics.Median(evaluated.Select(r => r.Summary.EvaluateMs));
        var overhead = BenchStatistics.Median(evaluated.Select(r => r.Total - r.Summary.CompileMs - r.Summary.EvaluateMs));
        context.Log.WriteLine(FormattableString.Invariant($"round total p50 {BenchStatistics.Median(rounds.Select(r => r.Total)):F1} ms, research p50 {BenchStatistics.Median(rounds.Select(r => r.Summary.ResearchMs)):F1} ms"));
        return FormattableString.Invariant(
            $"bench round: rounds_per_s={rounds.Count / all.Elapsed.TotalSeconds:F2} overhead_ms={overhead:F1} compile_ms={compile:F1} run_ms={run:F1}");
    }

    /// <summary>Where a round's time goes: median milliseconds from scheduling each activity to its result, from the histories.</summary>
    private static async Task LogStepTimesAsync(DurableWorkflowClient client, TextWriter log, CancellationToken cancellationToken)
    {
        var steps = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        for (var round = WarmupRounds + 1; round <= WarmupRounds + MeasuredRounds; round++)
        {
            var scheduled = new Dictionary<int, (string Name, DateTime At)>();
            foreach (var e in await client.GetHistoryAsync($"bench-round-{round}", cancellationToken))
            {
                if (e.Timestamp is null) continue;
                if (e.EventTypeCase == Durable.Protocol.HistoryEvent.EventTypeOneofCase.TaskScheduled)
                    scheduled[e.EventId] = (e.TaskScheduled.Name, e.Timestamp.ToDateTime());
                else if (e.EventTypeCase == Durable.Protocol.HistoryEvent.EventTypeOneofCase.TaskCompleted &&
                         scheduled.TryGetValue(e.TaskCompleted.TaskScheduledId, out var start))
                {
                    if (!steps.TryGetValue(start.Name, out var list)) steps[start.Name] = list = [];
                    list.Add((e.Timestamp.ToDateTime() - start.At).TotalMilliseconds);
                }
            }
        }
        log.WriteLine("per step (median ms, scheduled to completed): " +
                      string.Join(", ", steps.Select(s => FormattableString.Invariant($"{s.Key.Replace("Activity", "")} {BenchStatistics.Median(s.Value):F1}"))));
    }

}
