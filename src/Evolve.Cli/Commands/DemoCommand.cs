using System.CommandLine;
using Evolve.Cli.Demo;
using Evolve.Cli.Hosting;
using Evolve.Durable;
using Evolve.Durable.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Evolve.Cli.Commands;

/// <summary>
/// `evolve demo`: runs (or resumes) the durable demo pipeline and shows its progress. Running it
/// again with the same state directory and instance id resumes where the last run stopped.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "Sequential activities in the pipeline", DefaultValueFactory = _ => 12 };
        var stepMs = new Option<int>("--step-ms") { Description = "Work time of each activity in milliseconds", DefaultValueFactory = _ => 250 };
        var parallel = new Option<int>("--parallel") { Description = "Run the steps in waves of this many concurrent activities", DefaultValueFactory = _ => 1 };
        var instance = new Option<string>("--instance") { Description = "Workflow instance id", DefaultValueFactory = _ => "demo" };
        var noWorker = new Option<bool>("--no-worker") { Description = "Only start and watch the workflow; workers run elsewhere" };
        var stateDirectory = CommonOptions.StateDirectory(Path.Combine(".evolve", "demo"));
        var sidecar = CommonOptions.Sidecar();

        var command = new Command("demo", "Run the durable demo pipeline (sequential activities with idempotent side effects)")
        {
            steps, stepMs, parallel, instance, noWorker, stateDirectory, sidecar,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var selection = CommonOptions.Selection(parse, stateDirectory, sidecar);
            if (parse.GetValue(steps) is < 1 or > 100_000)
            {
                Console.Error.WriteLine("--steps must be between 1 and 100000.");
                return 2;
            }
            if (parse.GetValue(parallel) is < 1 or > 1000)
            {
                Console.Error.WriteLine("--parallel must be between 1 and 1000.");
                return 2;
            }
            var input = new DemoPipelineInput(parse.GetValue(steps), parse.GetValue(stepMs), "", parse.GetValue(parallel));
            return await RunAsync(selection, parse.GetValue(instance)!, input, runWorker: !parse.GetValue(noWorker), cancellation);
        });
        return command;
    }

    private static async Task<int> RunAsync(SidecarSelection selection, string instanceId, DemoPipelineInput input, bool runWorker,
        CancellationToken cancellation)
    {
        Directory.CreateDirectory(selection.StateDirectory);
        var ledger = Path.Combine(Path.GetFullPath(selection.StateDirectory), "effects.db");
        using var host = EvolveHost.Build(selection, runWorker);
        await host.StartAsync(cancellation);
        var client = host.Services.GetRequiredService<DurableWorkflowClient>();

        await client.ScheduleNewWorkflowAsync(nameof(DemoPipelineWorkflow), instanceId,
            input with { LedgerPath = ledger }, ifExists: ExistingInstanceBehavior.ReturnExisting, cancellationToken: cancellation);
        Console.WriteLine($"workflow {instanceId}: {input.Steps} steps, effects in {ledger}");

        var state = await WatchAsync(client, instanceId, cancellation);
        await host.StopAsync(CancellationToken.None);

        if (state.RuntimeStatus != WorkflowRuntimeStatus.Completed)
        {
            Console.Error.WriteLine($"workflow {instanceId} ended {state.RuntimeStatus}: {state.FailureDetails?.ErrorMessage}");
            return 1;
        }
        var result = state.ReadOutputAs<DemoPipelineResult>()!;
        var effects = new EffectLedger(ledger).Summary();
        Console.WriteLine($"completed: {result.Steps} steps, {effects.Count} effects recorded once each, " +
                          $"{result.ReRuns} activity re-runs after crashes, {(result.FinishedAt - result.StartedAt).TotalSeconds:F1}s workflow time");
        Console.WriteLine($"history: evolve workflows history {instanceId} --state-dir {selection.StateDirectory}");
        return 0;
    }

    /// <summary>Prints the custom status whenever it changes until the instance reaches a final state.</summary>
    private static async Task<WorkflowState> WatchAsync(DurableWorkflowClient client, string instanceId, CancellationToken cancellation)
    {
        string? lastStatus = null;
        while (true)
        {
            var state = await client.GetWorkflowStateAsync(instanceId, getInputsAndOutputs: true, cancellation)
                        ?? throw new InvalidOperationException($"workflow {instanceId} disappeared (purged?)");
            if (state.SerializedCustomStatus is { } status && status != lastStatus)
            {
                Console.WriteLine($"  {DateTime.Now:HH:mm:ss} {state.RuntimeStatus}: {status}");
                lastStatus = status;
            }
            if (state.IsCompleted) return state;
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellation);
        }
    }
}
