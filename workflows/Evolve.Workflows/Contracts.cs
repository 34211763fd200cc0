using Evolve.Agents;
using Evolve.Core;
using Evolve.Core.Evaluation;

namespace Evolve.Workflows;

// Workflow and activity payloads: small JSON documents. Programs travel as file paths under the campaign's
// artifacts/ folder, nodes as ids.

/// <summary>Which campaign a workflow or activity works on; everything else is loaded from the campaign directory.</summary>
/// <param name="CampaignDirectory">Absolute path of the campaign directory (database, config.effective.yaml, artifacts).</param>
/// <param name="TaskDirectory">Absolute path of the task folder.</param>
public sealed record CampaignContext(string CampaignDirectory, string TaskDirectory);

/// <summary>The campaign budgets and loop settings the campaign workflow itself needs (the rest stays in the campaign directory).</summary>
public sealed record CampaignLimits(
    int Rounds,
    int Parallel,
    double? TargetScore,
    double? WallTimeMinutes,
    long? MaxTokens,
    double? MaxCostUsd,
    int DebugRetries,
    int ContinueAsNewEvery,
    double OutageBackoffSeconds,
    int ActivityAttempts,
    double ProgressIntervalSeconds = RoundInput.DefaultProgressIntervalSeconds);

/// <summary>Input of <see cref="EvolutionCampaignWorkflow"/>; <paramref name="Progress"/> is null on the first start and carried across continue-as-new.</summary>
public sealed record CampaignInput(CampaignContext Campaign, CampaignLimits Limits, CampaignProgress? Progress = null);

/// <summary>What the campaign knows so far; carried across continue-as-new.</summary>
/// <param name="PendingRounds">Rounds still to run, in order (missing rounds of an earlier run first).</param>
/// <param name="Generation">How many times the campaign continued as new.</param>
public sealed record CampaignProgress(
    DateTime StartedAt,
    IReadOnlyList<long> PendingRounds,
    long RoundsDone,
    double? BestScore,
    long? BestRound,
    double? InitialScore,
    long Tokens,
    double CostUsd,
    bool Paused,
    string? LastOutcome,
    int Outages,
    int Generation,
    int StageCount,
    string PrimaryMetric,
    bool HasJudge = false,
    IReadOnlyList<double>? StageTimeoutSeconds = null);

/// <summary>Why a campaign stopped.</summary>
public static class StopReasons
{
    public const string RoundsDone = "rounds_done";
    public const string TargetReached = "target_reached";
    public const string BudgetExhausted = "budget_exhausted";
    public const string StoppedByOperator = "stopped_by_operator";
    /// <summary>The model endpoint refused the campaign's configuration (401, 403, 404): the detail says what to fix.</summary>
    public const string ConfigurationError = "configuration_error";
}

/// <summary>Output of <see cref="EvolutionCampaignWorkflow"/>.</summary>
/// <param name="StopReason">One of <see cref="StopReasons"/>.</param>
/// <param name="StopDetail">Readable detail: which budget and what was spent, the operator's reason, …</param>
public sealed record CampaignResult(
    string StopReason,
    string StopDetail,
    long RoundsDone,
    double? BestScore,
    long? BestRound,
    double? InitialScore,
    long Tokens,
    double CostUsd,
    int Outages,
    double WallSeconds);

/// <summary>The campaign's custom status: progress for `evolve run` and `evolve status`.</summary>
/// <param name="Phase">starting, running, paused, draining, completed.</param>
/// <param name="Waiting">Set while some round waits for an unavailable agent endpoint.</param>
/// <param name="RunningRounds">Instance ids of the round workflows in flight: their custom status (<see cref="RoundStatus"/>) shows a long stage's progress.</param>
public sealed record CampaignStatus(
    string Phase,
    long RoundsDone,
    int RoundsTotal,
    int InFlight,
    double? BestScore,
    long? BestRound,
    double? InitialScore,
    string? LastOutcome,
    long Tokens,
    double CostUsd,
    string? Waiting,
    string? StopReason,
    string? StopDetail,
    IReadOnlyList<string>? RunningRounds = null);

/// <summary>Input of <see cref="EvolutionRoundWorkflow"/>.</summary>
/// <param name="Round">The round to produce; 0 evaluates and commits the task's initial program.</param>
/// <param name="Judge">Run the judge step for ok candidates (the campaign has a judge).</param>
/// <param name="CommitOutageAsFailure">When the agent endpoint is down: true commits the round as research_failed (the campaign is stopping), false returns an outage so the campaign retries the round later.</param>
/// <param name="ProgressIntervalSeconds">While a stage runs, its progress is read into the round's custom status this often (0 = never).</param>
/// <param name="StageTimeoutSeconds">The stages' time limits (task.yaml timeout_s): a stage limited to at most the progress interval is short, so it gets no progress timer.</param>
public sealed record RoundInput(
    CampaignContext Campaign,
    long Round,
    int DebugRetries,
    int StageCount,
    string PrimaryMetric,
    int ActivityAttempts,
    bool CommitOutageAsFailure = false,
    bool Judge = false,
    double ProgressIntervalSeconds = RoundInput.DefaultProgressIntervalSeconds,
    IReadOnlyList<double>? StageTimeoutSeconds = null)
{
    public const double DefaultProgressIntervalSeconds = 30;
}

/// <summary>
/// The round's custom status while an evaluation stage runs: which stage, and the evaluator's latest progress report
/// (null until it reports). `evolve run` and `evolve status` show it beside the campaign's status.
/// </summary>
public sealed record RoundStatus(long Round, string Step, int? StageIndex, StageProgress? Progress);

/// <summary>An agent endpoint was unavailable: the round was not committed.</summary>
public sealed record AgentOutage(string Agent, string Reason, double? RetryAfterSeconds)
{
    public static AgentOutage From(AgentUnavailableException e) => new(e.Agent, e.Reason, e.RetryAfter?.TotalSeconds);

    public override string ToString() => $"{Agent} unavailable ({Reason})";
}

/// <summary>Output of <see cref="EvolutionRoundWorkflow"/>: what the campaign needs to track progress and budgets.</summary>
/// <param name="Outage">Set when the round could not run because an agent was unavailable; nothing was committed.</param>
/// <param name="CompileMs">Static check time (all attempts).</param>
/// <param name="EvaluateMs">Time of the evaluation stages (runs and evaluators).</param>
public sealed record RoundSummary(
    long Round,
    string? NodeId,
    NodeStatus Status,
    double? Score,
    string? Error,
    string? CommitOutcome,
    long Tokens,
    double CostUsd,
    double ResearchMs,
    double CompileMs,
    double EvaluateMs,
    AgentOutage? Outage = null)
{
    public string Describe() =>
        Outage is { } outage ? $"round {Round}: {outage}"
        : Status == NodeStatus.Ok ? $"{NodeId} ok {Score:0.######}"
        : $"{NodeId} {Status.ToWireName()}: {Shorten(Error)}";

    private static string Shorten(string? text) =>
        text is null ? "" : text.Length <= 120 ? text.ReplaceLineEndings(" ") : text[..117].ReplaceLineEndings(" ") + "...";
}

// ---- activity payloads ----

public sealed record RoundStepInput(CampaignContext Campaign, long Round);

/// <summary>What the campaign needs from its directory before the first round.</summary>
/// <param name="CommittedRounds">Rounds that already have a node (a restarted campaign skips them).</param>
/// <param name="SeedCognitionErrors">Bad lines of the task's cognition.jsonl (the good ones were imported).</param>
/// <param name="HasJudge">The campaign has a judge: rounds run the judge step (otherwise they skip its workflow turn).</param>
public sealed record CampaignPlan(
    int StageCount,
    string PrimaryMetric,
    int SeedCognitionImported,
    IReadOnlyList<string> SeedCognitionErrors,
    IReadOnlyList<long> CommittedRounds,
    double? BestScore,
    long? BestRound,
    double? InitialScore,
    long Tokens,
    double CostUsd,
    bool HasJudge = false,
    IReadOnlyList<double>? StageTimeoutSeconds = null);

public sealed record CognitionRef(string Id, double Similarity);

public sealed record RetrieveInput(CampaignContext Campaign, long Round, string? RootId);

/// <summary>A candidate program on disk.</summary>
public sealed record CandidateRef(string Name, string Motivation, string CodePath, string ResearcherKind, string? Model);

public sealed record ResearchInput(CampaignContext Campaign, long Round, SampleResult Draw, IReadOnlyList<CognitionRef> Cognition);

public sealed record ResearchStep(CandidateRef? Candidate, string? FailureReason, TokenUsage Usage, double DurationMs, AgentOutage? Outage = null);

/// <param name="Version">0 for the researcher's program, k after the k-th repair; names the compile folder.</param>
public sealed record StaticCheckInput(CampaignContext Campaign, long Round, string CodePath, int Version);

public sealed record StaticCheckStep(NodeStatus Status, string? Error, IReadOnlyList<string> Diagnostics, string? AssemblyPath, double DurationMs)
{
    public bool Passed => Status == NodeStatus.Ok;
}

/// <param name="RuntimeError">Set when the program crashed in the first stage: the error and stack trace (Diagnostics is then empty).</param>
public sealed record DebugInput(CampaignContext Campaign, long Round, string CodePath, IReadOnlyList<string> Diagnostics, string? Error, int Attempt,
    string? RuntimeError = null);

public sealed record DebugStep(string? RepairedCodePath, string? FailureReason, string? Model, TokenUsage Usage, AgentOutage? Outage = null);

/// <param name="Shown">The nodes the researcher was shown (root, context, lessons): the likeliest to be reproduced.</param>
public sealed record NoveltyInput(CampaignContext Campaign, long Round, CandidateRef Candidate, IReadOnlyList<string> Shown);

public sealed record EvaluateStageInput(CampaignContext Campaign, long Round, string CodePath, string? AssemblyPath, int StageIndex);

public sealed record StageProgressInput(CampaignContext Campaign, long Round, int StageIndex);

/// <summary>The latest progress report of a running stage; null when it has reported none.</summary>
public sealed record StageProgressStep(StageProgress? Progress);

/// <summary>The candidate's outcome as the analyzer and the commit see it.</summary>
public sealed record CandidateOutcome(
    NodeStatus Status,
    string? Error,
    IReadOnlyDictionary<string, double> Metrics,
    double? PrimaryScore,
    int StageReached,
    CascadeResult? Cascade);

public sealed record AnalyzeInput(CampaignContext Campaign, long Round, CandidateRef? Candidate, CandidateOutcome Outcome, string? RootId);

public sealed record AnalyzeStep(string Text, int InsightsAdded, int InsightsMerged, string? Model, TokenUsage Usage, AgentOutage? Outage = null);

/// <summary>Everything the node of a round records.</summary>
public sealed record CommitInput(
    CampaignContext Campaign,
    long Round,
    SampleResult? Draw,
    IReadOnlyList<string> CognitionIds,
    CandidateRef? Candidate,
    CandidateOutcome Outcome,
    string? Analysis,
    TokenUsage Usage,
    double ResearchSeconds,
    double EvaluationSeconds,
    double? JudgeScore = null);

public sealed record JudgeInput(CampaignContext Campaign, long Round, CandidateRef Candidate, CandidateOutcome Outcome);

/// <param name="Score">The judge's 0–1 score; null when there is no judge or judging was skipped.</param>
/// <param name="Note">What the node's analysis records about judging.</param>
public sealed record JudgeStep(double? Score, string? Note, TokenUsage Usage);

public sealed record CommitStep(string NodeId, NodeStatus Status, double? Score, string Outcome);

public sealed record AddCognitionInput(CampaignContext Campaign, string Content, string Source);
