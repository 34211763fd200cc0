using Evolve.Durable;
using Evolve.Durable.Client;

namespace Evolve.Cli.Demo;

/// <param name="Steps">How many sequential activities to run.</param>
/// <param name="StepMilliseconds">How long each activity works after recording its effect (widens the crash window).</param>
/// <param name="LedgerPath">SQLite file where the activities record their idempotency-keyed effects.</param>
/// <param name="Parallelism">Steps run in waves of this many concurrent activities (1 = strictly sequential).</param>
public sealed record DemoPipelineInput(int Steps, int StepMilliseconds, string LedgerPath, int Parallelism = 1);

public sealed record DemoStepInput(string LedgerPath, string Key, int Step, int StepMilliseconds);

/// <param name="Attempts">How many times this activity has run for its key (more than 1 = re-run after a crash).</param>
public sealed record DemoStepResult(string Key, int Step, int Attempts);

public sealed record DemoPipelineResult(int Steps, int ReRuns, DateTime StartedAt, DateTime FinishedAt);

/// <summary>
/// A pipeline of activities (sequential, or in waves), each with an external side effect keyed for idempotency.
/// It is what `make run` shows before the evolution loop and what the crash tests kill.
/// </summary>
public sealed class DemoPipelineWorkflow : Workflow<DemoPipelineInput, DemoPipelineResult>
{
    public override async Task<DemoPipelineResult> RunAsync(WorkflowContext context, DemoPipelineInput input)
    {
        var startedAt = context.CurrentUtcDateTime;
        var retry = new WorkflowTaskOptions(new WorkflowRetryPolicy(
            maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromMilliseconds(100), backoffCoefficient: 2.0));
        var reRuns = 0;
        var parallelism = Math.Max(1, input.Parallelism);
        for (var first = 1; first <= input.Steps; first += parallelism)
        {
            var wave = Enumerable.Range(first, Math.Min(parallelism, input.Steps - first + 1)).Select(step =>
                context.CallActivityAsync<DemoStepResult>(nameof(RecordEffectActivity),
                    new DemoStepInput(input.LedgerPath, $"{context.InstanceId}/step-{step}", step, input.StepMilliseconds), retry));
            var results = await Task.WhenAll(wave);
            reRuns += results.Sum(r => r.Attempts - 1);
            context.SetCustomStatus(new { step = results[^1].Step, of = input.Steps, reRuns });
        }
        return new DemoPipelineResult(input.Steps, reRuns, startedAt, context.CurrentUtcDateTime);
    }
}

/// <summary>Records one effect (at most once per key) and reports how often it has been attempted.</summary>
public sealed class RecordEffectActivity : WorkflowActivity<DemoStepInput, DemoStepResult>
{
    public override async Task<DemoStepResult> RunAsync(WorkflowActivityContext context, DemoStepInput input)
    {
        var attempts = new EffectLedger(input.LedgerPath).Apply(input.Key, input.Step, $"done by {context.InstanceId}");
        if (input.StepMilliseconds > 0) await Task.Delay(input.StepMilliseconds, context.CancellationToken);
        return new DemoStepResult(input.Key, input.Step, attempts);
    }
}
