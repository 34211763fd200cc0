using Evolve.Core;
using Evolve.Durable;
using Evolve.Workflows.Runtime;
using Evolve.Core.IO;

namespace Evolve.Workflows.Activities;

/// <summary>
/// Before the first round: imports the task's seed cognition (idempotent: ids are content hashes) and reads what an
/// earlier run of this campaign already committed, so a restarted campaign runs only the rounds that are missing.
/// </summary>
public sealed class PrepareCampaignActivity(CampaignRuntimes runtimes) : WorkflowActivity<CampaignContext, CampaignPlan>
{
    public override async Task<CampaignPlan> RunAsync(WorkflowActivityContext context, CampaignContext input)
    {
        var runtime = await runtimes.GetAsync(input, context.CancellationToken);
        var imported = 0;
        IReadOnlyList<string> errors = [];
        if (runtime.Task.CognitionPath is { } seed)
        {
            var result = await runtime.Storage.Cognition.ImportJsonlAsync(seed, context.CancellationToken);
            imported = result.Imported + result.AlreadyPresent;
            errors = result.Errors.Select(e => $"{Path.GetFileName(seed)} {e}").ToList();
        }

        var rounds = new List<long>();
        long tokens = 0;
        double cost = 0;
        await foreach (var node in runtime.Storage.Nodes.AllAsync(context.CancellationToken))
        {
            rounds.Add(node.Round);
            tokens += node.Costs.InputTokens + node.Costs.OutputTokens;
            cost += node.Costs.CostUsd;
        }
        var best = await runtime.Storage.Nodes.BestAsync(context.CancellationToken);
        var initial = await runtime.Storage.Nodes.GetByRoundAsync(0, context.CancellationToken);
        return new CampaignPlan(runtime.Task.Stages.Count, runtime.Task.PrimaryMetric, imported, errors, rounds,
            best?.Score, best?.Round, initial?.Score, tokens, cost, runtime.Agents.Judge is not null, runtime.Task.Stages.Select(s => s.Timeout.TotalSeconds).ToList());
    }
}

/// <summary>The operator's "add-cognition" event: one item in the cognition store (idempotent per content).</summary>
public sealed class AddCognitionActivity(CampaignRuntimes runtimes) : WorkflowActivity<AddCognitionInput, string>
{
    public override async Task<string> RunAsync(WorkflowActivityContext context, AddCognitionInput input)
    {
        if (string.IsNullOrWhiteSpace(input.Content))
            throw new ArgumentException("add-cognition needs the text of the item as its payload.");
        var runtime = await runtimes.GetAsync(input.Campaign, context.CancellationToken);
        var item = await runtime.Storage.Cognition.AddSeedAsync(input.Content.Trim(), input.Source, cancellationToken: context.CancellationToken);
        return item.Id;
    }
}

/// <summary>Round 0: the task's initial program, copied into the round's folder as its candidate.</summary>
public sealed class SeedProgramActivity(CampaignRuntimes runtimes) : WorkflowActivity<RoundStepInput, CandidateRef>
{
    public override async Task<CandidateRef> RunAsync(WorkflowActivityContext context, RoundStepInput input)
    {
        var runtime = await runtimes.GetAsync(input.Campaign, context.CancellationToken);
        var path = Path.Combine(runtime.RoundDirectory(input.Round), RoundFiles.Candidate(0));
        AtomicFile.WriteAllText(path, runtime.Task.ReadInitialProgram());
        return new CandidateRef("initial program", $"The initial program of task '{runtime.Task.Name}' ({Path.GetFileName(runtime.Task.InitialProgramPath)}).",
            path, "seed", null);
    }
}

/// <summary>File names inside a round's folder.</summary>
internal static class RoundFiles
{
    /// <summary>Version 0 is the researcher's program, version k the k-th repair.</summary>
    public static string Candidate(int version) => $"candidate-{version}.cs";

    public static string CompileDirectory(int version) => $"compile-{version}";

    public const string EvaluationDirectory = "eval";
}
