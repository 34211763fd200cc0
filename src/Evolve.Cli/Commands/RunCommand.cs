using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Evolve.Cli.Hosting;
using Evolve.Durable.Client;
using Evolve.Reporting;
using Evolve.Tasks;
using Evolve.Workflows;
using Evolve.Workflows.Configuration;
using Evolve.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Evolve.Cli.Commands;

/// <summary>
/// `evolve run &lt;task&gt;`: runs (or resumes) an evolution campaign as a durable workflow and shows its progress. The
/// campaign directory holds everything (database, artifacts, effective configuration, the embedded sidecar's state),
/// so the same command after a crash resumes the same workflow instance.
/// </summary>
public static class RunCommand
{
    public static Command Create()
    {
        var task = new Argument<string>("task") { Description = "A built-in task name (e.g. circle-packing) or the path of a task folder" };
        var rounds = new Option<int?>("--rounds") { Description = "Evolution rounds after the seed round 0 (budgets.rounds)" };
        var parallel = new Option<int?>("--parallel") { Description = "Rounds in flight at once (budgets.parallel)" };
        var sampler = new Option<string?>("--sampler") { Description = "ucb1, greedy, random or map-elites (sampler.kind)" };
        var seed = new Option<long?>("--seed") { Description = "Seed of the sampler and the offline researcher (campaign.seed)" };
        var campaignDirectory = new Option<string?>("--campaign-dir") { Description = "Campaign directory (default .evolve/campaigns/<task>); an existing one resumes" };
        var config = new Option<string?>("--config") { Description = "Campaign YAML file layered over task.yaml (sections campaign, budgets, sampler, cognition, novelty, judge, workflow, llm)" };
        var set = new Option<string[]>("--set") { Description = "Override one setting: --set budgets.max_cost_usd=5 (repeatable)", AllowMultipleArgumentsPerToken = false };
        var sidecar = CommonOptions.Sidecar();

        var command = new Command("run", "Run or resume an evolution campaign (durable; resumes where it stopped)")
        {
            task, rounds, parallel, sampler, seed, campaignDirectory, config, set, sidecar,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            TaskDefinition definition;
            PreparedCampaign campaign;
            try
            {
                // The same catalog (and evaluators) the worker uses, so every task it can run is accepted here.
                using var taskServices = EvolveHost.AddTasks(new ServiceCollection()).BuildServiceProvider();
                definition = taskServices.GetRequiredService<TaskCatalog>().Resolve(parse.GetValue(task)!);
                var flags = new Dictionary<string, string?>(StringComparer.Ordinal);
                if (parse.GetValue(rounds) is { } r) flags["budgets.rounds"] = r.ToString(CultureInfo.InvariantCulture);
                if (parse.GetValue(parallel) is { } p) flags["budgets.parallel"] = p.ToString(CultureInfo.InvariantCulture);
                if (parse.GetValue(sampler) is { } s) flags["sampler.kind"] = s;
                if (parse.GetValue(seed) is { } sd) flags["campaign.seed"] = sd.ToString(CultureInfo.InvariantCulture);
                var directory = parse.GetValue(campaignDirectory) ?? Path.Combine(".evolve", "campaigns", definition.Name);
                campaign = CampaignLauncher.Prepare(definition, directory, parse.GetValue(config),
                    CampaignConfiguration.FlagLayer(flags, parse.GetValue(set)));
            }
            catch (Exception e) when (e is TaskValidationException or CampaignConfigurationException)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            return await RunAsync(campaign, parse.GetValue(sidecar), cancellation);
        });
        return command;
    }

    private static async Task<int> RunAsync(PreparedCampaign campaign, Uri? sidecarUrl, CancellationToken cancellation)
    {
        var directory = campaign.CampaignDirectory;
        var selection = new SidecarSelection(sidecarUrl, Path.Combine(directory, "state"));
        Directory.CreateDirectory(selection.StateDirectory);
        foreach (var note in campaign.Notes) Console.WriteLine($"note: {note}");

        using var host = EvolveHost.Build(selection, runWorker: true);
        await host.StartAsync(cancellation);
        var client = host.Services.GetRequiredService<DurableWorkflowClient>();
        var what = await CampaignLauncher.StartOrResumeAsync(client, campaign, cancellation);
        if (what == "resumed" && campaign.Notes.Any(n => n.StartsWith("changed on resume", StringComparison.Ordinal)))
        {
            Console.WriteLine("note: the interrupted campaign workflow resumes with the budgets it started with; the changes apply when it is started again after it ends");
        }
        var settings = campaign.Configuration.Settings;
        Console.WriteLine($"campaign {settings.CampaignId} {what}: task {campaign.Task.Name}, {settings.Rounds} rounds, {settings.Parallel} in parallel, " +
                          $"sampler {settings.Sampler.Kind}, seed {settings.Seed}");
        Console.WriteLine($"campaign directory: {directory} (configuration: {CampaignConfiguration.EffectiveFileName}; workflow {campaign.InstanceId})");

        WorkflowState state;
        try
        {
            state = await WatchAsync(client, campaign.InstanceId, cancellation);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("interrupted; run the same command again to resume the campaign where it stopped");
            await host.StopAsync(CancellationToken.None);
            return 130;
        }

        if (state.RuntimeStatus != WorkflowRuntimeStatus.Completed)
        {
            Console.Error.WriteLine($"campaign workflow {campaign.InstanceId} ended {state.RuntimeStatus}: " +
                                    $"{state.FailureDetails?.ErrorType}: {state.FailureDetails?.ErrorMessage}");
            await host.StopAsync(CancellationToken.None);
            return 1;
        }

        var result = state.ReadOutputAs<CampaignResult>()!;
        var runtime = await host.Services.GetRequiredService<CampaignRuntimes>().GetAsync(campaign.Input.Campaign, cancellation);
        var bestPath = await CampaignLauncher.WriteBestProgramAsync(runtime.Storage, cancellation);
        // Every model call, failed and rejected ones included (the nodes' costs count what their rounds kept).
        var calls = await runtime.Storage.Transcripts.TotalsAsync(cancellation);
        CampaignReportFiles? report = null;
        string? reportError = null;
        try
        {
            report = await CampaignReport.WriteAsync(runtime.Storage, campaign.Task.Name, cancellation);
        }
        catch (Exception e) when (e is CampaignUnavailableException or IOException)
        {
            reportError = e.Message; // a missing plot must not hide the campaign's result
        }
        await host.StopAsync(CancellationToken.None);

        Console.WriteLine(F($"finished: {result.StopReason} ({result.StopDetail}); {result.RoundsDone} rounds, {result.Tokens} tokens, ${result.CostUsd:0.####}, {result.Outages} agent outages"));
        if (calls.Calls > 0)
        {
            Console.WriteLine(F($"model calls: {calls.Calls} ({calls.FailedCalls} failed or rejected), {calls.InputTokens} input + {calls.OutputTokens} output tokens, ${calls.CostUsd:0.####}"));
        }
        if (result.BestScore is { } best)
        {
            var improvement = result.InitialScore is { } initial
                ? F($"{best - initial:+0.######;-0.######;0} over the initial program's {initial:0.######}") +
                  (initial != 0 ? F($" ({(best - initial) / Math.Abs(initial) * 100:+0.####;-0.####;0}%)") : "")
                : "the initial program has no score";
            Console.WriteLine(F($"best score: {best:0.######} (round {result.BestRound}); improvement: {improvement}"));
        }
        else
        {
            Console.WriteLine("best score: none (no candidate evaluated ok; see `evolve nodes`)");
        }
        Console.WriteLine($"best program: {bestPath ?? "none"}");
        if (report is not null)
        {
            Console.WriteLine($"plot: {report.ScorePlotPath}");
            Console.WriteLine($"lineage: {report.LineagePagePath}");
        }
        else
        {
            Console.WriteLine($"plot: not written ({reportError})");
        }
        return 0;
    }

    /// <summary>Prints a progress line whenever the campaign's status changes, until the workflow ends.</summary>
    private static async Task<WorkflowState> WatchAsync(DurableWorkflowClient client, string instanceId, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        long? firstDone = null;
        string? last = null;
        while (true)
        {
            var state = await client.GetWorkflowStateAsync(instanceId, getInputsAndOutputs: true, cancellation)
                        ?? throw new InvalidOperationException($"workflow {instanceId} disappeared (purged?)");
            if (state.ReadCustomStatusAs<CampaignStatus>() is { } status)
            {
                firstDone ??= status.RoundsDone;
                var rate = clock.Elapsed.TotalSeconds > 0 ? (status.RoundsDone - firstDone.Value) / clock.Elapsed.TotalSeconds : 0;
                var line = Describe(status) + await DescribeRunningRoundsAsync(client, status, cancellation);
                if (line != last)
                {
                    Console.WriteLine(F($"  {DateTime.Now:HH:mm:ss} {line} | {rate:0.00} rounds/s"));
                    last = line;
                }
            }
            if (state.IsCompleted) return state;
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellation);
        }
    }

    /// <summary>The progress of long stages in the rounds in flight (their round workflows' custom status).</summary>
    private static async Task<string> DescribeRunningRoundsAsync(DurableWorkflowClient client, CampaignStatus status, CancellationToken cancellation)
    {
        var text = "";
        foreach (var id in status.RunningRounds ?? [])
        {
            var round = (await client.GetWorkflowStateAsync(id, getInputsAndOutputs: false, cancellation))?.ReadCustomStatusAs<RoundStatus>();
            if (round?.Progress is { } progress) text += F($" | round {round.Round}: {progress.Summary}");
        }
        return text;
    }

    private static string Describe(CampaignStatus s)
    {
        var best = s.BestScore is { } b
            ? F($"best {b:0.######}") + (s.InitialScore is { } i ? F($" ({b - i:+0.######;-0.######;0})") : "")
            : "best none";
        var text = F($"{s.Phase} round {s.RoundsDone}/{s.RoundsTotal} | {best} | last: {s.LastOutcome ?? "-"} | in flight {s.InFlight}");
        if (s.Waiting is { } waiting) text += " | " + waiting;
        if (s.StopReason is { } reason) text += $" | stopping: {reason} ({s.StopDetail})";
        return text;
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
