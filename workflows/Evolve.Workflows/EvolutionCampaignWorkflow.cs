using System.Globalization;
using Evolve.Core;
using Evolve.Agents.Llm;
using Evolve.Durable;
using Evolve.Workflows.Activities;

namespace Evolve.Workflows;

/// <summary>
/// A campaign: the seed round 0, then rounds 1..N as child <see cref="EvolutionRoundWorkflow"/>s, K at a time, with
/// deterministic instance ids. Stops on the rounds budget, the target score, wall time (replay-safe clock), tokens or
/// cost; reacts to the events <c>pause</c>, <c>resume</c>, <c>stop</c> and <c>add-cognition</c> (payload: the text);
/// continues as new every M rounds so its history stays small. A round whose agent endpoint was down is not committed:
/// it waits on a durable timer and runs again. Rounds already committed by an earlier run are skipped, missing ones
/// re-run, so the campaign's rounds never have gaps.
/// </summary>
public sealed class EvolutionCampaignWorkflow : Workflow<CampaignInput, CampaignResult>
{
    public static class Events
    {
        public const string Pause = "pause";
        public const string Resume = "resume";
        public const string Stop = "stop";
        public const string AddCognition = "add-cognition";
    }

    /// <summary>Deterministic id of a round's child workflow (attempt &gt; 1 after an agent outage).</summary>
    public static string RoundInstanceId(string campaignInstanceId, long round, int attempt) =>
        attempt <= 1 ? $"{campaignInstanceId}:r{round:D5}" : $"{campaignInstanceId}:r{round:D5}:a{attempt}";

    public override async Task<CampaignResult> RunAsync(WorkflowContext context, CampaignInput input)
    {
        var limits = input.Limits;
        var campaign = input.Campaign;
        var options = EvolutionRoundWorkflow.ActivityOptions(limits.ActivityAttempts);
        CampaignProgress progress;
        try
        {
            progress = input.Progress ?? await StartAsync(context, input, options);
        }
        catch (WorkflowTaskFailedException e) when (e.FailureDetails.IsCausedBy<LlmRequestException>())
        {
            // The seed round's agent (the analyzer) was refused: nothing can run until the configuration is fixed.
            var message = RootCause(e.FailureDetails, typeof(LlmRequestException).FullName!).ErrorMessage;
            context.SetCustomStatus(new CampaignStatus("completed", 0, limits.Rounds, 0, null, null, null, null, 0, 0, null,
                StopReasons.ConfigurationError, message));
            return new CampaignResult(StopReasons.ConfigurationError, message, 0, null, null, null, 0, 0, 0, 0);
        }
        var pending = new Queue<long>(progress.PendingRounds);
        var inFlight = new List<(Task<RoundSummary> Task, long Round)>();
        var waiting = new HashSet<long>();
        var running = new SortedDictionary<long, string>();
        string? stopReason = null, stopDetail = null;
        var startedThisGeneration = 0;

        // One waiter per event, re-armed after it fires, so no event is lost or delivered twice.
        var pause = context.WaitForExternalEventAsync<string?>(Events.Pause);
        var resume = context.WaitForExternalEventAsync<string?>(Events.Resume);
        var stop = context.WaitForExternalEventAsync<string?>(Events.Stop);
        var addCognition = context.WaitForExternalEventAsync<string?>(Events.AddCognition);
        // A pending timer that outlives the instance is harmless: it fires into a finished (or continued) history.
        Task? deadline = limits.WallTimeMinutes is { } minutes ? context.CreateTimer(progress.StartedAt.AddMinutes(minutes)) : null;

        CheckBudgets();
        Publish();
        while (true)
        {
            while (stopReason is null && !progress.Paused && inFlight.Count < limits.Parallel && pending.Count > 0 &&
                   startedThisGeneration < limits.ContinueAsNewEvery)
            {
                var round = pending.Dequeue();
                inFlight.Add((RunRoundAsync(round), round));
                startedThisGeneration++;
            }
            if (inFlight.Count == 0)
            {
                if (stopReason is not null) break;
                if (pending.Count == 0)
                {
                    (stopReason, stopDetail) = (StopReasons.RoundsDone, $"all {limits.Rounds} rounds done");
                    break;
                }
                if (!progress.Paused && startedThisGeneration >= limits.ContinueAsNewEvery)
                {
                    context.ContinueAsNew(input with
                    {
                        Progress = progress with { PendingRounds = pending.ToList(), Generation = progress.Generation + 1 },
                    });
                    return Result("continued_as_new", "");
                }
            }
            Publish();

            var waitables = new List<Task>(inFlight.Select(r => (Task)r.Task)) { pause, resume, stop, addCognition };
            if (deadline is not null) waitables.Add(deadline);
            var done = await Task.WhenAny(waitables);

            if (done == pause)
            {
                progress = progress with { Paused = true };
                pause = context.WaitForExternalEventAsync<string?>(Events.Pause);
            }
            else if (done == resume)
            {
                progress = progress with { Paused = false };
                resume = context.WaitForExternalEventAsync<string?>(Events.Resume);
            }
            else if (done == stop)
            {
                var reason = await stop;
                stopReason ??= StopReasons.StoppedByOperator;
                stopDetail ??= string.IsNullOrWhiteSpace(reason) ? "stop event received" : $"stop event received: {reason}";
                stop = context.WaitForExternalEventAsync<string?>(Events.Stop);
            }
            else if (done == addCognition)
            {
                var text = await addCognition;
                addCognition = context.WaitForExternalEventAsync<string?>(Events.AddCognition);
                if (!string.IsNullOrWhiteSpace(text))
                {
                    await context.CallActivityAsync<string>(nameof(AddCognitionActivity), new AddCognitionInput(campaign, text, "operator"), options);
                }
            }
            else if (done == deadline)
            {
                deadline = null;
                stopReason ??= StopReasons.BudgetExhausted;
                stopDetail ??= F($"wall_time_minutes: {limits.WallTimeMinutes} minutes elapsed");
            }
            else
            {
                var index = inFlight.FindIndex(r => r.Task == done);
                var summary = await inFlight[index].Task;
                inFlight.RemoveAt(index);
                Record(summary);
                CheckBudgets();
            }
        }

        var result = Result(stopReason!, stopDetail ?? "");
        Publish("completed");
        return result;

        async Task<RoundSummary> RunRoundAsync(long round)
        {
            for (var attempt = 1; ; attempt++)
            {
                running[round] = RoundInstanceId(context.InstanceId, round, attempt);
                RoundSummary summary;
                try
                {
                    summary = await context.CallChildWorkflowAsync<RoundSummary>(nameof(EvolutionRoundWorkflow),
                        RoundInputFor(round, commitOutageAsFailure: stopReason is not null),
                        new ChildWorkflowTaskOptions(running[round]));
                }
                catch (WorkflowTaskFailedException e) when (e.FailureDetails.IsCausedBy<LlmRequestException>())
                {
                    // Every round would fail the same way (bad key, unknown model or endpoint): stop instead of burning rounds.
                    // The round stays uncommitted; a restarted campaign runs it again.
                    running.Remove(round);
                    var message = RootCause(e.FailureDetails, typeof(LlmRequestException).FullName!).ErrorMessage;
                    stopReason ??= StopReasons.ConfigurationError;
                    stopDetail ??= message;
                    return new RoundSummary(round, null, NodeStatus.ResearchFailed, null, message, null, 0, 0, 0, 0, 0);
                }
                running.Remove(round);
                if (summary.Outage is not { } outage) return summary;

                var delay = TimeSpan.FromSeconds(outage.RetryAfterSeconds is > 0 and var s ? s : limits.OutageBackoffSeconds);
                progress = progress with { Outages = progress.Outages + 1, LastOutcome = $"round {round}: {outage}; retrying in {delay.TotalSeconds:0.#} s" };
                waiting.Add(round);
                Publish();
                await context.CreateTimer(delay);
                waiting.Remove(round);
            }
        }

        RoundInput RoundInputFor(long round, bool commitOutageAsFailure) =>
            new(campaign, round, limits.DebugRetries, progress.StageCount, progress.PrimaryMetric, limits.ActivityAttempts, commitOutageAsFailure,
                progress.HasJudge, limits.ProgressIntervalSeconds, progress.StageTimeoutSeconds);

        void Record(RoundSummary summary)
        {
            var better = summary.Status == NodeStatus.Ok && summary.Score is { } score && (progress.BestScore is not { } best || score > best);
            progress = progress with
            {
                RoundsDone = progress.RoundsDone + (summary.Round > 0 && summary.NodeId is not null ? 1 : 0),
                BestScore = better ? summary.Score : progress.BestScore,
                BestRound = better ? summary.Round : progress.BestRound,
                Tokens = progress.Tokens + summary.Tokens,
                CostUsd = progress.CostUsd + summary.CostUsd,
                LastOutcome = summary.Describe(),
            };
        }

        void CheckBudgets()
        {
            if (stopReason is not null) return;
            if (limits.TargetScore is { } target && progress.BestScore is { } best && best >= target)
                (stopReason, stopDetail) = (StopReasons.TargetReached, F($"best score {best:0.######} reached the target {target}"));
            else if (limits.MaxTokens is { } maxTokens && progress.Tokens >= maxTokens)
                (stopReason, stopDetail) = (StopReasons.BudgetExhausted, F($"max_tokens: spent {progress.Tokens} of {maxTokens} tokens"));
            else if (limits.MaxCostUsd is { } maxCost && progress.CostUsd >= maxCost)
                (stopReason, stopDetail) = (StopReasons.BudgetExhausted, F($"max_cost_usd: spent ${progress.CostUsd:0.####} of ${maxCost}"));
            else if (limits.WallTimeMinutes is { } minutes && context.CurrentUtcDateTime >= progress.StartedAt.AddMinutes(minutes))
                (stopReason, stopDetail) = (StopReasons.BudgetExhausted, F($"wall_time_minutes: {minutes} minutes elapsed"));
        }

        void Publish(string? phase = null)
        {
            phase ??= stopReason is not null ? "draining" : progress.Paused ? "paused" : "running";
            context.SetCustomStatus(new CampaignStatus(phase, progress.RoundsDone, limits.Rounds, inFlight.Count, progress.BestScore,
                progress.BestRound, progress.InitialScore, progress.LastOutcome, progress.Tokens, progress.CostUsd,
                waiting.Count == 0 ? null : $"agent unavailable; rounds {string.Join(", ", waiting.Order())} retry on a timer",
                stopReason, stopDetail, running.Count == 0 ? null : [.. running.Values]));
        }

        CampaignResult Result(string reason, string detail) =>
            new(reason, detail, progress.RoundsDone, progress.BestScore, progress.BestRound, progress.InitialScore, progress.Tokens,
                progress.CostUsd, progress.Outages, (context.CurrentUtcDateTime - progress.StartedAt).TotalSeconds);
    }

    /// <summary>First start: seed cognition, what an earlier run committed, and the seed round 0 when it is missing.</summary>
    private static async Task<CampaignProgress> StartAsync(WorkflowContext context, CampaignInput input, WorkflowTaskOptions options)
    {
        context.SetCustomStatus(new CampaignStatus("starting", 0, input.Limits.Rounds, 0, null, null, null, null, 0, 0, null, null, null));
        var plan = await context.CallActivityAsync<CampaignPlan>(nameof(PrepareCampaignActivity), input.Campaign, options);
        var committed = plan.CommittedRounds.ToHashSet();
        var progress = new CampaignProgress(context.CurrentUtcDateTime,
            Enumerable.Range(1, input.Limits.Rounds).Select(r => (long)r).Where(r => !committed.Contains(r)).ToList(),
            committed.Count(r => r > 0), plan.BestScore, plan.BestRound, plan.InitialScore, plan.Tokens, plan.CostUsd, false,
            plan.SeedCognitionErrors.Count == 0 ? null : "seed cognition: " + string.Join("; ", plan.SeedCognitionErrors),
            0, 0, plan.StageCount, plan.PrimaryMetric, plan.HasJudge, plan.StageTimeoutSeconds);
        if (committed.Contains(0)) return progress;

        RoundSummary seed;
        for (var attempt = 1; ; attempt++)
        {
            var seedId = RoundInstanceId(context.InstanceId, 0, attempt);
            context.SetCustomStatus(new CampaignStatus("starting", 0, input.Limits.Rounds, 1, null, null, null, null, 0, 0, null, null, null, [seedId]));
            seed = await context.CallChildWorkflowAsync<RoundSummary>(nameof(EvolutionRoundWorkflow),
                new RoundInput(input.Campaign, 0, input.Limits.DebugRetries, plan.StageCount, plan.PrimaryMetric, input.Limits.ActivityAttempts,
                    ProgressIntervalSeconds: input.Limits.ProgressIntervalSeconds, StageTimeoutSeconds: plan.StageTimeoutSeconds),
                new ChildWorkflowTaskOptions(seedId));
            if (seed.Outage is not { } outage) break;
            // The analyzer of the seed round was unavailable: the seed must be committed before any round can sample.
            progress = progress with { Outages = progress.Outages + 1 };
            await context.CreateTimer(TimeSpan.FromSeconds(outage.RetryAfterSeconds is > 0 and var s ? s : input.Limits.OutageBackoffSeconds));
        }
        var ok = seed.Status == NodeStatus.Ok;
        return progress with
        {
            BestScore = ok ? seed.Score : progress.BestScore,
            BestRound = ok ? 0 : progress.BestRound,
            InitialScore = seed.Score,
            Tokens = progress.Tokens + seed.Tokens,
            CostUsd = progress.CostUsd + seed.CostUsd,
            LastOutcome = "seed " + seed.Describe(),
        };
    }

    private static WorkflowTaskFailureDetails RootCause(WorkflowTaskFailureDetails failure, string errorType) =>
        failure.ErrorType == errorType || failure.InnerFailure is null ? failure : RootCause(failure.InnerFailure, errorType);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
