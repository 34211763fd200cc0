using Evolve.Agents.Llm;
using Evolve.Sampling;
using Evolve.Storage;

namespace Evolve.Workflows.Configuration;

/// <summary>
/// The effective settings of one campaign, bound from the layered configuration (<see cref="CampaignConfiguration"/>).
/// Every property is read by some part of the loop; the keys are listed in <see cref="CampaignSettingKeys"/>.
/// </summary>
public sealed class CampaignSettings
{
    /// <summary>campaign.id: name of the campaign (node ids and storage are keyed by it).</summary>
    public string CampaignId { get; set; } = "";
    /// <summary>campaign.seed: seeds the sampler and the offline researcher.</summary>
    public ulong Seed { get; set; } = 42;

    /// <summary>budgets.rounds: evolution rounds after the seed round 0 (rounds 1..N).</summary>
    public int Rounds { get; set; } = 40;
    /// <summary>budgets.parallel: rounds in flight at once.</summary>
    public int Parallel { get; set; } = 2;
    /// <summary>budgets.target_score: stop once the best score reaches it.</summary>
    public double? TargetScore { get; set; }
    /// <summary>budgets.wall_time_minutes: stop dispatching rounds after this much (workflow) time.</summary>
    public double? WallTimeMinutes { get; set; }
    /// <summary>budgets.debug_retries: repair attempts for a candidate that fails the static check.</summary>
    public int DebugRetries { get; set; } = 2;
    /// <summary>budgets.max_tokens: stop once the nodes' input + output tokens reach it.</summary>
    public long? MaxTokens { get; set; }
    /// <summary>budgets.max_cost_usd: stop once the nodes' cost reaches it.</summary>
    public double? MaxCostUsd { get; set; }

    /// <summary>sampler.*: the sampler (kind, c, top_k, top_m, context_count, lesson_count, islands, migration_*).</summary>
    public SamplerOptions Sampler { get; set; } = new();

    /// <summary>cognition.top_k: items retrieved per round.</summary>
    public int CognitionTopK { get; set; } = 4;
    /// <summary>cognition.min_similarity: retrieved items are at least this similar to the query.</summary>
    public double CognitionMinSimilarity { get; set; } = 0.05;
    /// <summary>cognition.merge_threshold: an insight this similar to an existing item is merged into it.</summary>
    public double CognitionMergeThreshold { get; set; } = 0.9;

    /// <summary>novelty.similarity_threshold: candidates at least this similar to a node are near duplicates (1 = exact only).</summary>
    public double NoveltySimilarityThreshold { get; set; } = 0.95;

    /// <summary>judge.weight: the node score is (1 − w)·score + w·judge score when an LLM judge is configured.</summary>
    public double JudgeWeight { get; set; } = 0.2;

    /// <summary>llm: the LLM agents of the campaign; offline (nothing configured) without an <c>llm:</c> section.</summary>
    public LlmOptions Llm { get; set; } = new();

    /// <summary>workflow.continue_as_new_every: rounds per campaign history before it continues as new.</summary>
    public int ContinueAsNewEvery { get; set; } = 25;
    /// <summary>workflow.outage_backoff_seconds: wait before re-running a round whose agent was unavailable (when the endpoint gave no Retry-After).</summary>
    public double OutageBackoffSeconds { get; set; } = 60;
    /// <summary>workflow.activity_attempts: attempts of an activity that failed unexpectedly (infrastructure, not the candidate).</summary>
    public int ActivityAttempts { get; set; } = 3;

    // Progress of long evaluation stages (kept apart from the agent settings above).
    /// <summary>workflow.progress_interval_seconds: how often a running stage's progress is read into the round's status (0 = never).</summary>
    public double ProgressIntervalSeconds { get; set; } = RoundInput.DefaultProgressIntervalSeconds;

    public CognitionOptions Cognition => new() { MergeThreshold = CognitionMergeThreshold };
}
