using System.Text.Json.Serialization;

namespace Evolve.Core;

/// <summary>
/// One candidate program of a campaign and everything learned about it. Immutable: change it with
/// <c>with</c> expressions. The node of a round is committed once, keyed by (<see cref="CampaignId"/>, <see cref="Round"/>).
/// </summary>
public sealed record Node
{
    public required string Id { get; init; }
    public required string CampaignId { get; init; }
    /// <summary>Round that produced the node; round 0 holds the task's initial program.</summary>
    public required long Round { get; init; }
    public string Name { get; init; } = "";
    public string Motivation { get; init; } = "";
    /// <summary>The candidate source, or null when it lives in the artifact store (<see cref="ArtifactRef"/>).</summary>
    public string? Code { get; init; }
    public string? ArtifactRef { get; init; }
    public IReadOnlyList<string> ParentIds { get; init; } = [];
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = EmptyMetrics;
    /// <summary>Primary score (higher is better); null when the candidate never produced one.</summary>
    public double? Score { get; init; }
    public NodeStatus Status { get; init; } = NodeStatus.Ok;
    /// <summary>Readable reason for a failed status; null when <see cref="Status"/> is ok.</summary>
    public string? Error { get; init; }
    /// <summary>Index of the last evaluation stage the candidate entered (0 = none ran).</summary>
    public int StageReached { get; init; }
    public string? Analysis { get; init; }
    public int Island { get; init; }
    /// <summary>How often samplers drew this node as a root; maintained by the store.</summary>
    public long Visits { get; init; }
    public NodeProvenance Provenance { get; init; } = NodeProvenance.None;
    public NodeCosts Costs { get; init; } = NodeCosts.Zero;
    /// <summary>Commit order assigned by the store (0 before commit); samplers use it as an observation cursor.</summary>
    public long Sequence { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>True for an ok node with a finite score: the only kind that may be a root.</summary>
    [JsonIgnore]
    public bool IsOk => Status == NodeStatus.Ok && Score is { } s && double.IsFinite(s);

    public static IReadOnlyDictionary<string, double> EmptyMetrics { get; } = new Dictionary<string, double>();

    /// <summary>Deterministic id of a round's node, so a retried commit can only ever name the same node.</summary>
    public static string IdForRound(long round) => $"n{round:D5}";
}

/// <summary>What a node was built from: the context nodes and cognition items shown to the researcher, and who wrote it.</summary>
public sealed record NodeProvenance
{
    public IReadOnlyList<string> ContextNodeIds { get; init; } = [];
    public IReadOnlyList<string> CognitionItemIds { get; init; } = [];
    /// <summary>"offline", "llm", "seed", …</summary>
    public string ResearcherKind { get; init; } = "";
    public string? Model { get; init; }
    /// <summary>Sampler strategy that chose the root ("ucb1", "map-elites:exploit", …).</summary>
    public string? SamplerStrategy { get; init; }

    public static NodeProvenance None { get; } = new();
}

/// <summary>What producing and evaluating a node cost.</summary>
public sealed record NodeCosts
{
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public double CostUsd { get; init; }
    public double ResearchSeconds { get; init; }
    public double EvaluationSeconds { get; init; }

    public static NodeCosts Zero { get; } = new();
}
