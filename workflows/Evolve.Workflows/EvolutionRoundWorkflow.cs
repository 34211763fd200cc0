using Evolve.Agents;
using Evolve.Core;
using Evolve.Core.Evaluation;
using Evolve.Durable;
using Evolve.Workflows.Activities;

namespace Evolve.Workflows;

/// <summary>
/// One round of evolution, one activity per step: sample → retrieve → research → static check → (debug → static
/// check)* → novelty → evaluate stage 1..k (stopping at the first that does not pass) → analyze → commit. Round 0 is
/// the task's initial program (no sampling, research or novelty). Whatever goes wrong with the candidate is committed
/// as the node's status; only an unavailable agent endpoint ends the round uncommitted (the campaign retries it).
/// </summary>
public sealed class EvolutionRoundWorkflow : Workflow<RoundInput, RoundSummary>
{
    public override async Task<RoundSummary> RunAsync(WorkflowContext context, RoundInput input)
    {
        var options = ActivityOptions(input.ActivityAttempts);
        var campaign = input.Campaign;
        var round = input.Round;
        var usage = TokenUsage.None;
        double researchMs = 0, compileMs = 0, evaluateMs = 0;
        SampleResult? draw = null;
        IReadOnlyList<CognitionRef> cognition = [];
        CandidateRef? candidate;
        var debugLog = new List<string>();
        var debugAttempts = 0; // shared by compile-error and runtime-crash repairs: debug_retries bounds both together

        if (round == 0)
        {
            candidate = await context.CallActivityAsync<CandidateRef>(nameof(SeedProgramActivity), new RoundStepInput(campaign, round), options);
        }
        else
        {
            draw = await context.CallActivityAsync<SampleResult>(nameof(SampleActivity), new RoundStepInput(campaign, round), options);
            cognition = await context.CallActivityAsync<IReadOnlyList<CognitionRef>>(nameof(RetrieveCognitionActivity),
                new RetrieveInput(campaign, round, draw.RootId), options);
            var research = await context.CallActivityAsync<ResearchStep>(nameof(ResearchActivity),
                new ResearchInput(campaign, round, draw, cognition), options);
            researchMs = research.DurationMs;
            usage = usage.Add(research.Usage);
            if (research.Outage is { } outage && !input.CommitOutageAsFailure) return Outage(outage);
            candidate = research.Candidate;
            if (candidate is null)
            {
                return await FinishAsync(Failed(NodeStatus.ResearchFailed, research.FailureReason ?? "the researcher produced no candidate"));
            }
        }

        // Static check, and repairs within the retry budget; every attempt is recorded in the node's analysis. The novelty
        // check of the researcher's program runs beside the first static check (they are independent); a repaired program
        // is checked for novelty again.
        IReadOnlyList<string> shown = draw is null ? [] : [.. draw.RootId is null ? [] : new[] { draw.RootId }, .. draw.ContextIds, .. draw.LessonIds];
        var noveltyTask = round > 0
            ? context.CallActivityAsync<NoveltyVerdict>(nameof(NoveltyActivity), new NoveltyInput(campaign, round, candidate, shown), options)
            : null;
        var check = await context.CallActivityAsync<StaticCheckStep>(nameof(StaticCheckActivity),
            new StaticCheckInput(campaign, round, candidate.CodePath, 0), options);
        compileMs += check.DurationMs;
        for (var attempt = 1; !check.Passed && attempt <= input.DebugRetries; attempt++)
        {
            debugAttempts = attempt;
            var debug = await context.CallActivityAsync<DebugStep>(nameof(DebugActivity),
                new DebugInput(campaign, round, candidate.CodePath, check.Diagnostics, check.Error, attempt), options);
            usage = usage.Add(debug.Usage);
            if (debug.Outage is { } outage && !input.CommitOutageAsFailure) return Outage(outage);
            if (debug.RepairedCodePath is null)
            {
                debugLog.Add($"debug attempt {attempt}: no repair ({debug.FailureReason})");
                break;
            }
            candidate = candidate with { CodePath = debug.RepairedCodePath };
            if (noveltyTask is not null) await noveltyTask; // it judged the unrepaired program; judge the repair below
            noveltyTask = null;
            check = await context.CallActivityAsync<StaticCheckStep>(nameof(StaticCheckActivity),
                new StaticCheckInput(campaign, round, candidate.CodePath, attempt), options);
            compileMs += check.DurationMs;
            debugLog.Add($"debug attempt {attempt}: repaired{(debug.Model is null ? "" : " by " + debug.Model)}; static check {check.Status.ToWireName()}{(check.Error is null ? "" : ": " + check.Error)}");
        }
        if (!check.Passed)
        {
            if (noveltyTask is not null) await noveltyTask; // no activity of the round outlives it
            return await FinishAsync(Failed(check.Status, check.Error ?? check.Status.ToWireName()));
        }

        if (round > 0)
        {
            var novelty = await (noveltyTask ?? context.CallActivityAsync<NoveltyVerdict>(nameof(NoveltyActivity),
                new NoveltyInput(campaign, round, candidate, shown), options));
            if (novelty.Usage is { } judged) usage = usage.Add(judged);
            if (!novelty.IsNovel) return await FinishAsync(Failed(NodeStatus.Duplicate, novelty.Reason));
        }

        var stages = new List<StageResult>();
        for (var stage = 0; stage < input.StageCount; stage++)
        {
            var result = await EvaluateStageAsync(stage);
            evaluateMs += result.Duration.TotalMilliseconds;
            if (round > 0 && stage == 0 && result.Status == NodeStatus.Crash && debugAttempts < input.DebugRetries)
            {
                var (repairOutage, repaired) = await RepairCrashAsync(result);
                if (repairOutage is not null && !input.CommitOutageAsFailure) return Outage(repairOutage);
                if (repaired)
                {
                    stage = -1; // evaluate the repaired program from the first stage
                    continue;
                }
            }
            stages.Add(result);
            if (!result.Passed) break;
        }
        var cascade = CascadeResult.Combine(stages, input.StageCount, input.PrimaryMetric);
        return await FinishAsync(new CandidateOutcome(cascade.Status, cascade.Error, cascade.Metrics, cascade.PrimaryScore,
            cascade.StageReachedIndex + 1, cascade));

        // A program that crashed in the first stage goes to the debugger with the runtime error and stack trace; a repair
        // that passes the static check replaces the candidate (its novelty was judged on the original idea).
        async Task<(AgentOutage? Outage, bool Repaired)> RepairCrashAsync(StageResult crash)
        {
            var attempt = ++debugAttempts;
            var runtimeError = string.IsNullOrWhiteSpace(crash.StderrTail) ? crash.Error ?? "crash" : $"{crash.Error}\n{crash.StderrTail}";
            var debug = await context.CallActivityAsync<DebugStep>(nameof(DebugActivity),
                new DebugInput(campaign, round, candidate!.CodePath, [], crash.Error, attempt, runtimeError), options);
            usage = usage.Add(debug.Usage);
            if (debug.Outage is { } outage) return (outage, false);
            if (debug.RepairedCodePath is null)
            {
                debugLog.Add($"debug attempt {attempt} (runtime crash): no repair ({debug.FailureReason})");
                debugAttempts = input.DebugRetries; // the debugger has nothing more to offer
                return (null, false);
            }
            var repairedCheck = await context.CallActivityAsync<StaticCheckStep>(nameof(StaticCheckActivity),
                new StaticCheckInput(campaign, round, debug.RepairedCodePath, attempt), options);
            compileMs += repairedCheck.DurationMs;
            debugLog.Add($"debug attempt {attempt} (runtime crash): repaired{(debug.Model is null ? "" : " by " + debug.Model)}; static check {repairedCheck.Status.ToWireName()}{(repairedCheck.Error is null ? "" : ": " + repairedCheck.Error)}");
            if (!repairedCheck.Passed) return (null, false);
            candidate = candidate! with { CodePath = debug.RepairedCodePath };
            check = repairedCheck;
            return (null, true);
        }

        // A long stage (training) reports progress to a file; while it runs, a durable timer wakes the round every
        // progress interval to read it into the custom status. A stage that ends before the timer adds no turn; a stage
        // whose time limit is within one interval gets no timer at all (it would only cost a timer per stage).
        async Task<StageResult> EvaluateStageAsync(int stage)
        {
            var evaluation = context.CallActivityAsync<StageResult>(nameof(EvaluateStageActivity),
                new EvaluateStageInput(campaign, round, candidate!.CodePath, check.AssemblyPath, stage), options);
            if (input.ProgressIntervalSeconds <= 0 || input.StageTimeoutSeconds?.ElementAtOrDefault(stage) is > 0 and var limit && limit <= input.ProgressIntervalSeconds)
                return await evaluation;
            var interval = TimeSpan.FromSeconds(input.ProgressIntervalSeconds);
            var reported = false;
            while (true)
            {
                using var cancelTimer = new CancellationTokenSource();
                var tick = context.CreateTimer(interval, cancelTimer.Token);
                if (await Task.WhenAny(evaluation, tick) == evaluation)
                {
                    cancelTimer.Cancel();
                    // The stage's last report would go stale while the round analyzes and commits.
                    if (reported) context.SetCustomStatus(new RoundStatus(round, "evaluated", stage, null));
                    return await evaluation;
                }
                reported = true;
                var progress = await context.CallActivityAsync<StageProgressStep>(nameof(ReadStageProgressActivity),
                    new StageProgressInput(campaign, round, stage), options);
                context.SetCustomStatus(new RoundStatus(round, "evaluate", stage, progress.Progress));
            }
        }

        async Task<RoundSummary> FinishAsync(CandidateOutcome outcome)
        {
            double? judgeScore = null;
            if (input.Judge && outcome.Status == NodeStatus.Ok && candidate is not null && round > 0)
            {
                var judged = await context.CallActivityAsync<JudgeStep>(nameof(JudgeActivity), new JudgeInput(campaign, round, candidate, outcome), options);
                usage = usage.Add(judged.Usage);
                judgeScore = judged.Score;
                if (judged.Note is not null) debugLog.Add(judged.Note);
            }
            var analysis = await context.CallActivityAsync<AnalyzeStep>(nameof(AnalyzeActivity),
                new AnalyzeInput(campaign, round, candidate, outcome, draw?.RootId), options);
            if (analysis.Outage is { } outage && !input.CommitOutageAsFailure) return Outage(outage);
            usage = usage.Add(analysis.Usage);
            var text = debugLog.Count == 0 ? analysis.Text : analysis.Text + "\nDebug:\n" + string.Join("\n", debugLog.Select(l => "- " + l));
            var commit = await context.CallActivityAsync<CommitStep>(nameof(CommitNodeActivity),
                new CommitInput(campaign, round, draw, cognition.Select(c => c.Id).ToList(), candidate, outcome, text, usage,
                    researchMs / 1000, (compileMs + evaluateMs) / 1000, judgeScore),
                options);
            return new RoundSummary(round, commit.NodeId, commit.Status, commit.Score, outcome.Error, commit.Outcome,
                usage.TotalTokens, usage.CostUsd, researchMs, compileMs, evaluateMs);
        }

        RoundSummary Outage(AgentOutage outage) =>
            new(round, null, NodeStatus.ResearchFailed, null, outage.ToString(), null, usage.TotalTokens, usage.CostUsd,
                researchMs, compileMs, evaluateMs, outage);

        static CandidateOutcome Failed(NodeStatus status, string error) =>
            new(status, error, new Dictionary<string, double>(), null, 0, null);
    }

    /// <summary>
    /// Activities retry infrastructure failures (a locked database, a killed runner host); a bad configuration or
    /// task, or a model endpoint that refuses the campaign's credentials or model, fails the same way every time, so it
    /// is not retried.
    /// </summary>
    internal static WorkflowTaskOptions ActivityOptions(int attempts) => new(new WorkflowRetryPolicy(
        maxNumberOfAttempts: Math.Max(1, attempts), firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2,
        maxRetryInterval: TimeSpan.FromSeconds(30),
        handle: failure => !failure.IsCausedBy<ArgumentException>() && !failure.IsCausedBy<Tasks.TaskValidationException>() &&
                           !failure.IsCausedBy<Agents.Llm.LlmRequestException>()));
}
