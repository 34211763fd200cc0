using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using Evolve.Cli.Hosting;
using Evolve.DataCuration.Processing;
using Evolve.DataCuration.Strategies;
using Evolve.DataCuration.Synthetic;
using Evolve.DataCuration.Workflows;
using Evolve.Durable.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Evolve.Cli.Commands;

/// <summary>`evolve data generate` (synthetic shards) and `evolve data curate` (the durable curation run).</summary>
public static class DataCommand
{
    public static Command Create() => new("data", "Generate and curate Parquet text shards")
    {
        GenerateCommand(),
        CurateCommand(),
    };

    private static Command GenerateCommand()
    {
        var output = new Option<string>("--output") { Description = "Folder for the generated shards (and _truth/ ground truth)", Required = true };
        var shards = new Option<int>("--shards") { Description = "Number of shards", DefaultValueFactory = _ => 4 };
        var docs = new Option<int>("--docs") { Description = "Documents per shard", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same shards)", DefaultValueFactory = _ => 1 };
        var command = new Command("generate", "Write synthetic Nemotron-CC-like shards with recorded noise and ground truth") { output, shards, docs, seed };
        command.SetAction(async (parse, cancellation) =>
        {
            if (parse.GetValue(shards) < 1 || parse.GetValue(docs) < 1)
            {
                Console.Error.WriteLine("--shards and --docs must be at least 1.");
                return 2;
            }

            var folder = Path.GetFullPath(parse.GetValue(output)!);
            var paths = await new SyntheticCorpusGenerator().GenerateAsync(folder,
                new SyntheticCorpusOptions(parse.GetValue(shards), parse.GetValue(docs), parse.GetValue(seed)), cancellation);
            Console.WriteLine($"wrote {paths.Count} shards of {parse.GetValue(docs)} documents to {folder}");
            return 0;
        });
        return command;
    }

    private static Command CurateCommand()
    {
        var input = new Option<string>("--input") { Description = "Folder with the input shards (*.parquet; never modified)", Required = true };
        var output = new Option<string>("--output") { Description = "Folder for curated shards, manifest.json and _curation/ work files", Required = true };
        var strategy = new Option<string>("--strategy")
        {
            Description = "Cleaning strategy: 'builtin' (the baseline) or a C# file defining public static class Strategy { public static CleaningPipeline Build() }",
            DefaultValueFactory = _ => StrategySource.BuiltinName,
        };
        var parallel = new Option<int>("--parallel") { Description = "Shards processed at once", DefaultValueFactory = _ => 2 };
        var textColumn = new Option<string>("--text-column") { Description = "Column holding the document text", DefaultValueFactory = _ => "text" };
        var instance = new Option<string?>("--instance") { Description = "Workflow instance id (default: derived from the output folder, so re-running resumes)" };
        var stateDirectory = new Option<string?>("--state-dir")
        {
            Description = "Directory of the embedded sidecar's store (default: OUTPUT/_curation/state, so a re-run finds the interrupted run)",
        };
        var sidecar = CommonOptions.Sidecar();
        var command = new Command("curate", "Curate shards with a durable workflow; re-run the same command after a crash to resume")
        {
            input, output, strategy, parallel, textColumn, instance, stateDirectory, sidecar,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var outputFolder = Path.GetFullPath(parse.GetValue(output)!);
            var inputFolder = Path.GetFullPath(parse.GetValue(input)!);
            if (parse.GetValue(parallel) is < 1 or > 256)
            {
                Console.Error.WriteLine("--parallel must be between 1 and 256.");
                return 2;
            }
            if (!Directory.Exists(inputFolder))
            {
                Console.Error.WriteLine($"Input folder '{inputFolder}' does not exist; point --input at the folder holding the shards.");
                return 2;
            }
            if (string.Equals(inputFolder.TrimEnd(Path.DirectorySeparatorChar), outputFolder.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
            {
                Console.Error.WriteLine("--output must differ from --input: inputs are never modified.");
                return 2;
            }

            // Compile and build the strategy before anything else: a bad one fails here, with no shard touched.
            StrategyReference strategyReference;
            try
            {
                var source = StrategySource.Resolve(parse.GetValue(strategy)!);
                var compiled = StrategyCache.Shared.Get(source, cancellation);
                Console.WriteLine($"strategy {compiled}");
                strategyReference = await StrategyReference.PersistAsync(source, outputFolder, cancellation);
            }
            catch (InvalidStrategyException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }

            var selection = new SidecarSelection(parse.GetValue(sidecar),
                parse.GetValue(stateDirectory) ?? Path.Combine(outputFolder, ShardRecordStore.WorkFolder, "state"));
            var request = new DataCurationInput(inputFolder, outputFolder, strategyReference, parse.GetValue(parallel),
                new CurationFormat(TextColumn: parse.GetValue(textColumn)!));
            return await CurateAsync(selection, parse.GetValue(instance) ?? InstanceIdFor(outputFolder), request, cancellation);
        });
        return command;
    }

    /// <summary>One output folder, one run: the same command after a crash names the same instance and resumes it.</summary>
    public static string InstanceIdFor(string outputFolder)
    {
        var canonical = Path.GetFullPath(outputFolder).TrimEnd(Path.DirectorySeparatorChar);
        return "curate-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..16];
    }

    private static async Task<int> CurateAsync(SidecarSelection selection, string instanceId, DataCurationInput request, CancellationToken cancellation)
    {
        Directory.CreateDirectory(selection.StateDirectory);
        using var host = EvolveHost.Build(selection, runWorker: true);
        await host.StartAsync(cancellation);
        var client = host.Services.GetRequiredService<DurableWorkflowClient>();
        // A run that is still going (the process was killed) is resumed; a finished one is started afresh, which is
        // cheap (finished shards are reused from disk) and picks up changed inputs or a fix for what made it fail.
        if (await client.GetWorkflowStateAsync(instanceId, getInputsAndOutputs: false, cancellation) is { IsCompleted: true } previous)
        {
            Console.WriteLine($"workflow {instanceId} already ended {previous.RuntimeStatus}; starting it again (finished shards are reused)");
            await client.PurgeInstanceAsync(instanceId, cancellationToken: cancellation);
        }

        await client.ScheduleNewWorkflowAsync(nameof(DataCurationWorkflow), instanceId, request,
            ifExists: ExistingInstanceBehavior.ReturnExisting, cancellationToken: cancellation);
        Console.WriteLine($"workflow {instanceId}: curating {request.InputDirectory} -> {request.OutputDirectory} " +
                          $"(strategy {request.Strategy.Hash}, {request.Parallelism} at once, state in {selection.StateDirectory})");

        var state = await WatchAsync(client, instanceId, cancellation);
        await host.StopAsync(CancellationToken.None);
        if (state.RuntimeStatus != WorkflowRuntimeStatus.Completed)
        {
            Console.Error.WriteLine($"workflow {instanceId} ended {state.RuntimeStatus}: {state.FailureDetails?.ErrorType}: {state.FailureDetails?.ErrorMessage}");
            return 1;
        }

        var result = state.ReadOutputAs<DataCurationResult>()!;
        PrintSummary(result);
        return 0;
    }

    private static void PrintSummary(DataCurationResult result)
    {
        Console.WriteLine(FormattableString.Invariant(
            $"completed: {result.ShardsOk}/{result.ShardsTotal} shards ok, {result.ShardsFailed} failed ({result.ShardsReused} already finished on disk)"));
        Console.WriteLine(FormattableString.Invariant(
            $"documents {result.DocumentsIn} -> {result.DocumentsOut}; text {result.BytesIn / 1e6:F2} MB -> {result.BytesOut / 1e6:F2} MB"));
        Console.WriteLine(FormattableString.Invariant(
            $"duplicates planned: {result.ExactDuplicatesPlanned} exact, {result.NearDuplicatesPlanned} near; strategy {result.StrategyName} ({result.StrategyHash})"));
        Console.WriteLine($"manifest: {result.ManifestPath}");
        if (result.Failed.Count == 0) return;
        Console.WriteLine($"failed shards ({result.Failed.Count}); the run itself completed, so the exit code is 0:");
        foreach (var failed in result.Failed) Console.WriteLine($"  {failed.Shard}: {failed.Error}");
    }

    /// <summary>Prints the progress status whenever it changes until the instance reaches a final state.</summary>
    private static async Task<WorkflowState> WatchAsync(DurableWorkflowClient client, string instanceId, CancellationToken cancellation)
    {
        string? last = null;
        while (true)
        {
            var state = await client.GetWorkflowStateAsync(instanceId, getInputsAndOutputs: true, cancellation)
                        ?? throw new InvalidOperationException($"workflow {instanceId} disappeared (purged?)");
            if (state.SerializedCustomStatus is { } status && status != last)
            {
                last = status;
                Console.WriteLine($"  {DateTime.Now:HH:mm:ss} {state.ReadCustomStatusAs<DataCurationStatus>()}");
            }
            if (state.IsCompleted) return state;
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellation);
        }
    }
}
