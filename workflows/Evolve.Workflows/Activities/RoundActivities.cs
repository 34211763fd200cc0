using System.Diagnostics;
using Evolve.Agents;
using Evolve.Agents.Llm;
using Evolve.Core;
using Evolve.Core.Evaluation;
using Evolve.Durable;
using Evolve.Engineering.Cascade;
using Evolve.Engineering.StaticChecks;
using Evolve.Workflows.Configuration;
using Evolve.Workflows.Runtime;
using Evolve.Core.IO;

namespace Evolve.Workflows.Activities;

/// <summary>Sample: root, context and lessons for the round. Idempotent: the first draw of a round is recorded and returned on retries.</summary>
public sealed class SampleActivity(CampaignRuntimes runtimes) : WorkflowActivity<RoundStepInput, SampleResult>
{
    public override async Task<SampleResult> RunAsync(WorkflowActivityContext context, RoundStepInput input)
    {
        var runtime = await runtimes.GetAsync(input.Campaign, context.CancellationToken);
        return await runtime.Storage.Sampling.DrawAsync(input.Round, context.CancellationToken);
    }
}

/// <summary>Retrieve: cognition items similar to the root's idea (or the task statement before there is a root). Read only.</summary>
public sealed class RetrieveCognitionActivity(CampaignRuntimes runtimes) : WorkflowActivity<RetrieveInput, IReadOnlyList<CognitionRef>>
{
    public override async Task<IReadOnlyList<CognitionRef>> RunAsync(WorkflowActivityContext context, RetrieveInput input)
    {
        var runtime = await runtimes.GetAsync(input.Campaign, context.CancellationToken);
        if (runtime.Settings.CognitionTopK == 0) return [];
        var root = input.RootId is null ? null : await runtime.Storage.Nodes.GetAsync(input.RootId, context.CancellationToken);
        var query = root is null
            ? runtime.TaskStatement
            : $"{root.Name}\n{root.Motivation}\n{root.Analysis}";
        var hits = await runtime.Storage.Cognition.SearchAsync(query, runtime.Settings.CognitionTopK, runtime.Settings.CognitionMinSimilarity,
            context.CancellationToken);
        return hits.Select(h => new CognitionRef(h.Item.Id, h.Similarity)).ToList();
    }
}

/// <summary>
/// Research: the researcher proposes the round's program, written to the round's folder (temp file, then rename). An
/// unavailable model endpoint is reported as an outage, not as a failed candidate.
/// </summary>
public sealed class ResearchActivity(CampaignRuntimes runtimes) : WorkflowActivity<ResearchInput, ResearchStep>
{
    public override async Task<ResearchStep> RunAsync(WorkflowActivityContext context, ResearchInput input)
    {
        var clock = Stopwatch.StartNew();
        var runtime = await runtimes.GetAsync(input.Campaign, context.CancellationToken);
        var draw = input.Draw;
        if (draw.RootId is null)
        {
            return new ResearchStep(null,
                "there is no ok node to improve yet: the initial program (round 0) did not evaluate ok; fix the task's initial program",
                TokenUsage.None, clock.Elapsed.TotalMilliseconds);
        }

        var nodes = await runtime.Storage.Nodes.GetManyAsync([draw.RootId, .. draw.ContextIds, .. draw.LessonIds], context.CancellationToken);
        var byId = nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var cognition = new List<RetrievedCognition>();
        foreach (var reference in input.Cognition)
        {
            if (await runtime.Storage.Cognition.GetAsync(reference.Id, context.CancellationToken) is { } item)
                cognition.Add(new RetrievedCognition(item.Id, item.Content, reference.Similarity));
        }
        var request = new ResearchRequest(
            runtime.TaskStatement,
            View(byId[draw.RootId]),
            draw.ContextIds.Where(byId.ContainsKey).Select(id => View(byId[id])).ToList(),
            draw.LessonIds.Where(byId.ContainsKey).Select(id => View(byId[id])).ToList(),
            cognition,
            input.Round,
            (long)runtime.Settings.Seed);

        ResearchOutcome outcome;
        try
        {
            outcome = await runtime.Agents.Researcher.ProposeAsync(request, context.CancellationToken);
        }
        catch (AgentUnavailableException e)
        {
            return new ResearchStep(null, e.Message, TokenUsage.None, clock.Elapsed.TotalMilliseconds, AgentOutage.From(e));
        }
        if (outcome.Proposal is not { } proposal)
        {
            return new ResearchStep(null, outcome.FailureReason ?? "the researcher gave no candidate and no reason", outcome.Usage,
                clock.Elapsed.TotalMilliseconds);
        }
        var path = Path.Combine(runtime.RoundDirectory(input.Round), RoundFiles.Candidate(0));
        AtomicFile.WriteAllText(path, proposal.Code);
        return new ResearchStep(new CandidateRef(proposal.Name, proposal.Motivation, path, proposal.ResearcherKind, proposal.Model),
            null, proposal.Usage, clock.Elapsed.TotalMilliseconds);
    }

    private static NodeView View(Node node) => NodeView.From(node with { Code = node.Code ?? "" });
}

/// <summary>Static check: size, Roslyn compile, forbidden APIs, entry point; the assembly goes to the version's compile folder.</summary>
public sealed class StaticCheckActivity(CampaignRuntimes runtimes, StaticChecker checker) : WorkflowActivity<StaticCheckInput, StaticCheckStep>
{
    public override async Task<StaticCheckStep> RunAsync(WorkflowActivityContext context, StaticCheckInput input)
    {
        var runtime = await runtimes.GetAsync(input.Campaign, context.CancellationToken);
        var source = await File.ReadAllTextAsync(input.CodePath, context.CancellationToken);
        if (runtime.Task.EntryPoint is null)
        {
            // An external evaluator runs the source itself; there is nothing to compile here.
            return new StaticCheckStep(NodeStatus.Ok, null, [], null, 0);
        }
        var assembly = Path.Combine(runtime.RoundDirectory(input.Round), RoundFiles.CompileDirectory(input.Version), "candidate.dll");
        var result = checker.Check(source, runtime.Task, assembly, context.CancellationToken);
        var diagnostics = result.Diagnostics.Select(d => d.ToString()).Concat(result.ForbiddenUsages.Select(u => u.ToString())).ToList();
        return new StaticCheckStep(result.Status, result.Error, diagnostics, result.AssemblyPath, result.Duration.TotalMilliseconds);
    }
}

/// <summary>
/// Debug: one repair attempt of a program that failed the static check (compiler diagnostics) or crashed in the first
/// stage (runtime error and stack trace); the repair is written as the next version.
/// </summary>
public sealed class DebugActivity(CampaignRuntimes runtimes) : WorkflowActivity<DebugInput, DebugStep>
{
    public override async Task<DebugStep> RunAsync(WorkflowActivityContext context, DebugInput input)
    {
        var runtime = await runtimes.GetAsync(input.Campaign, context.CancellationToken);
        var code = await File.ReadAllTextAsync(input.CodePath, context.CancellationToken);
        DebugOutcome outcome;
        try
        {
            var diagnostics = input.RuntimeError is not null ? [] : input.Diagnostics.Count > 0 ? input.Diagnostics : (IReadOnlyList<string>)[input.Error ?? ""];
            outcome = await runtime.Agents.Debugger.RepairAsync(
                new DebugRequest(runtime.TaskStatement, code, diagnostics, input.RuntimeError, input.Attempt, input.Round),
                context.CancellationToken);
        }
        catch (AgentUnavailableException e)
        {
            return new DebugStep(null, e.Message, null, TokenUsage.None, AgentOutage.From(e));
        }
        if (outcome.RepairedCode is not { } repaired) return new DebugStep(null, outcome.FailureReason ?? "no repair", outcome.Model, outcome.Usage);
        var path = Path.Combine(runtime.RoundDirectory(input.Round), RoundFiles.Candidate(input.Attempt));
        AtomicFile.WriteAllText(path, repaired);
        return new DebugStep(path, null, outcome.Model, outcome.Usage);
    }
}

/// <summary>
/// Novelty: exact and near duplicates among the nodes a researcher is most likely to reproduce: those it was shown (root,
/// context, lessons), the best few and the latest failures. Each comparison parses both programs, so the set stays small.
/// </summary>
public sealed class NoveltyActivity(CampaignRuntimes runtimes) : WorkflowActivity<NoveltyInput, NoveltyVerdict>
{
    private const int Best = 5;
    private const int RecentFailures = 3;

    public override async Task<NoveltyVerdict> RunAsync(WorkflowActivityContext context, NoveltyInput input)
    {
        var runtime = await runtimes.GetAsync(input.Campaign, context.CancellationToken);
        var nodes = runtime.Storage.Nodes;
        var ownId = Node.IdForRound(input.Round);
        var ids = input.Shown
            .Concat((await nodes.TopAsync(Best, cancellationToken: context.CancellationToken)).Select(n => n.Id))
            .Concat((await nodes.RecentFailuresAsync(RecentFailures, cancellationToken: context.CancellationToken)).Select(n => n.Id))
            .Where(id => id != ownId)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var references = (await nodes.GetManyAsync(ids, context.CancellationToken))
            .Where(n => !string.IsNullOrEmpty(n.Code))
            .Select(n => new NoveltyReference(n.Id, n.Name, n.Motivation, n.Code!))
            .ToList();
        var code = await File.ReadAllTextAsync(input.Candidate.CodePath, context.CancellationToken);
        try
        {
            return await runtime.Novelty.CheckAsync(new NoveltyCandidate(input.Candidate.Name, input.Candidate.Motivation, code, input.Round), references,
                runtime.TaskStatement, context.CancellationToken);
        }
        catch (AgentUnavailableException e)
        {
            // A novelty judge that cannot be asked must not throw the candidate away: evaluate it.
            return new NoveltyVerdict(true, null, 0, $"novelty judge unavailable ({e.Reason}); evaluated without its judgement");
        }
    }
}

/// <summary>
/// One stage of the evaluation cascade in the sandbox, then the cognition items its evaluator emitted go to the store
/// with the round's node as provenance. Idempotent: the stage folder is emptied first, and the store keys items by node
/// and content.
/// </summary>
public sealed class EvaluateStageActivity(CampaignRuntimes runtimes, EvaluationCascade cascade, EmittedCognitionImporter cognition)
    : WorkflowActivity<EvaluateStageInput, StageResult>
{
    public override async Task<StageResult> RunAsync(WorkflowActivityContext context, EvaluateStageInput input)
    {
        var runtime = await runtimes.GetAsync(input.Campaign, context.CancellationToken);
        var directory = Path.Combine(runtime.RoundDirectory(input.Round), RoundFiles.EvaluationDirectory);
        var result = await cascade.RunStageAsync(runtime.Task, input.StageIndex, new CandidateArtifacts(input.CodePath, input.AssemblyPath),
            directory, context.CancellationToken);
        await cognition.ImportAsync(runtime.Storage.Cognition, EvaluationCascade.EvaluatorDirectory(directory, runtime.Task, input.StageIndex),
            Node.IdForRound(input.Round), input.Round, result.Stage, context.CancellationToken);
        // JSON cannot carry NaN or infinities; a metric that is not a number is not a measurement.
        var finite = result.Metrics.Where(m => double.IsFinite(m.Value)).ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
        return result with { Metrics = finite };
    }
}

/// <summary>Analyze: the analyzer's report on the candidate; its insights go to the cognition store with the node as provenance.</summary>
public sealed class AnalyzeActivity(CampaignRuntimes runtimes) : WorkflowActivity<AnalyzeInput, AnalyzeStep>
{
    public override async Task<AnalyzeStep> RunAsync(WorkflowActivityContext context, AnalyzeInput input)
    {
        var runtime = await runtimes.GetAsync(input.Campaign, context.CancellationToken);
        var nodeId = Node.IdForRound(input.Round);
        var outcome = input.Outcome;
        var code = input.Candidate is { } c && File.Exists(c.CodePath) ? await File.ReadAllTextAsync(c.CodePath, context.CancellationToken) : "";
        var candidate = new NodeView(nodeId, input.Round, input.Candidate?.Name ?? "no candidate", input.Candidate?.Motivation ?? "",
            code, runtime.ScoreOf(outcome.PrimaryScore), outcome.Metrics, outcome.Status, outcome.Error, null, outcome.StageReached);
        var root = input.RootId is null ? null : await runtime.Storage.Nodes.GetAsync(input.RootId, context.CancellationToken);

        AnalysisReport report;
        try
        {
            report = await runtime.Agents.Analyzer.AnalyzeAsync(new AnalysisRequest(runtime.TaskStatement, candidate, outcome.Cascade,
                root is null ? null : NodeView.From(root with { Code = root.Code ?? "" }), runtime.Task.PrimaryMetric, runtime.Task.Stages.Count),
                context.CancellationToken);
        }
        catch (AgentUnavailableException e)
        {
            return new AnalyzeStep("", 0, 0, null, TokenUsage.None, AgentOutage.From(e));
        }

        int added = 0, merged = 0;
        foreach (var insight in report.Insights.Where(i => !string.IsNullOrWhiteSpace(i)))
        {
            var result = await runtime.Storage.Cognition.AddInsightAsync(new InsightInput(insight, nodeId, input.Round), context.CancellationToken);
            if (result.MergedIntoExisting) merged++;
            else added++;
        }
        return new AnalyzeStep(report.ToText(), added, merged, report.Model, report.Usage ?? TokenUsage.None);
    }
}

/// <summary>
/// Judge: the optional LLM judge's 0–1 rubric score of a candidate that evaluated ok, blended into its score by the
/// commit. No judge, an unusable reply or an unreachable endpoint skip judging (the candidate keeps its measured score).
/// </summary>
public sealed class JudgeActivity(CampaignRuntimes runtimes) : WorkflowActivity<JudgeInput, JudgeStep>
{
    public override async Task<JudgeStep> RunAsync(WorkflowActivityContext context, JudgeInput input)
    {
        var runtime = await runtimes.GetAsync(input.Campaign, context.CancellationToken);
        if (runtime.Agents.Judge is not { } judge) return new JudgeStep(null, null, TokenUsage.None);
        var outcome = input.Outcome;
        var code = await File.ReadAllTextAsync(input.Candidate.CodePath, context.CancellationToken);
        var candidate = new NodeView(Node.IdForRound(input.Round), input.Round, input.Candidate.Name, input.Candidate.Motivation, code,
            runtime.ScoreOf(outcome.PrimaryScore), outcome.Metrics, outcome.Status, outcome.Error, null, outcome.StageReached);
        try
        {
            var score = (await judge.ScoreAsync(new JudgeRequest(runtime.TaskStatement, runtime.JudgeRubric, candidate), context.CancellationToken)).Validated();
            return new JudgeStep(score.Score, $"judge: {score.Score:0.###} (weight {runtime.Settings.JudgeWeight:0.###}): {score.Rationale}", score.Usage);
        }
        catch (LlmReplyRejectedException e)
        {
            return new JudgeStep(null, $"judge skipped: {e.Message}", e.Usage);
        }
        catch (AgentUnavailableException e)
        {
            return new JudgeStep(null, $"judge skipped: {e.Message}", TokenUsage.None);
        }
    }
}

/// <summary>Commit: the round's node, written once (keyed by campaign + round); a retry returns the stored node.</summary>
public sealed class CommitNodeActivity(CampaignRuntimes runtimes) : WorkflowActivity<CommitInput, CommitStep>
{
    public override async Task<CommitStep> RunAsync(WorkflowActivityContext context, CommitInput input)
    {
        var runtime = await runtimes.GetAsync(input.Campaign, context.CancellationToken);
        var outcome = input.Outcome;
        var candidate = input.Candidate;
        var code = candidate is not null && File.Exists(candidate.CodePath)
            ? await File.ReadAllTextAsync(candidate.CodePath, context.CancellationToken)
            : null;
        var ok = outcome.Status == NodeStatus.Ok;
        var node = new Node
        {
            Id = Node.IdForRound(input.Round),
            CampaignId = runtime.Settings.CampaignId,
            Round = input.Round,
            Name = candidate?.Name ?? "no candidate",
            Motivation = candidate?.Motivation ?? "",
            Code = code,
            ParentIds = input.Draw?.RootId is { } root ? [root] : [],
            Metrics = outcome.Metrics,
            Score = ok ? runtime.ScoreOf(outcome.PrimaryScore, input.JudgeScore) : null,
            Status = outcome.Status,
            Error = ok ? null : outcome.Error ?? outcome.Status.ToWireName(),
            StageReached = outcome.StageReached,
            Analysis = input.Analysis,
            Island = input.Draw?.Island ?? 0,
            Provenance = new NodeProvenance
            {
                ContextNodeIds = input.Draw?.ContextIds ?? [],
                CognitionItemIds = input.CognitionIds,
                ResearcherKind = candidate?.ResearcherKind ?? "",
                Model = candidate?.Model,
                SamplerStrategy = input.Draw?.Strategy,
            },
            Costs = new NodeCosts
            {
                InputTokens = input.Usage.InputTokens,
                OutputTokens = input.Usage.OutputTokens,
                CostUsd = input.Usage.CostUsd,
                ResearchSeconds = input.ResearchSeconds,
                EvaluationSeconds = input.EvaluationSeconds,
            },
        };
        var result = await runtime.Storage.Nodes.CommitNodeAsync(node, context.CancellationToken);
        var stored = result.Node;
        return new CommitStep(stored.Id, stored.Status, stored.Score, result.Outcome.ToString());
    }
}
