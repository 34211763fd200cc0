using System.Text.Json.Serialization;

namespace Evolve.Core;

/// <summary>
/// Chooses which nodes a round builds on. Pure and deterministic: the same seed, state, observations and
/// requests give the same draws. It never touches storage; its state round-trips through JSON.
/// </summary>
public interface INodeSampler
{
    /// <summary>"ucb1", "greedy", "random" or "map-elites".</summary>
    string Kind { get; }

    /// <summary>How many nodes the caller should put in a <see cref="SamplingRequest"/>.</summary>
    SamplerPoolSizes PoolSizes { get; }

    /// <summary>Highest <see cref="Node.Sequence"/> observed so far; feed <see cref="Observe"/> every node committed after it, in commit order.</summary>
    long ObservedThroughSequence { get; }

    /// <summary>True when <see cref="Observe"/> needs full nodes (code, metrics); false when the cursor alone is enough.</summary>
    bool NeedsObservations { get; }

    /// <summary>Tells the sampler about a committed node. Nodes at or below the cursor are ignored, so replays are harmless.</summary>
    void Observe(Node node);

    /// <summary>Draws a root, context nodes and lessons for one round. The caller must add one visit to each of <see cref="SampleResult.VisitedNodeIds"/>.</summary>
    SampleResult Sample(SamplingRequest request);

    string SaveState();

    /// <summary>Restores a state written by <see cref="SaveState"/> of the same kind; a foreign or corrupt state is rejected with a clear error.</summary>
    void RestoreState(string json);
}

/// <param name="Candidates">Ok nodes with a score, best first, at least <see cref="SamplerPoolSizes.CandidateCount"/> of them when that many exist.</param>
/// <param name="Failures">Failed nodes, most recent first, at least <see cref="SamplerPoolSizes.FailureCount"/> when that many exist.</param>
public sealed record SamplingRequest(long Round, IReadOnlyList<NodeSummary> Candidates, IReadOnlyList<NodeSummary> Failures);

/// <param name="Strategy">How the root was chosen ("ucb1:unvisited", "map-elites:exploit", …), recorded in provenance.</param>
/// <param name="RootId">The node to improve; null only while the campaign has no ok node yet.</param>
/// <param name="ContextIds">Other good nodes shown as inspiration (never the root).</param>
/// <param name="LessonIds">Failed nodes shown as lessons; never roots.</param>
/// <param name="Island">Island the round's new node belongs to.</param>
public sealed record SampleResult(
    long Round,
    string Strategy,
    int Island,
    string? RootId,
    IReadOnlyList<string> ContextIds,
    IReadOnlyList<string> LessonIds)
{
    /// <summary>Nodes whose visit count this draw increments: the root, on every draw.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> VisitedNodeIds => RootId is null ? [] : [RootId];
}

/// <param name="RootPoolSize">Roots come from the top-k ok nodes.</param>
/// <param name="ContextPoolSize">Context nodes come from the top-m ok nodes.</param>
/// <param name="FailureCount">How many recent failures the caller should load as lesson candidates.</param>
public sealed record SamplerPoolSizes(int RootPoolSize, int ContextPoolSize, int FailureCount)
{
    public int CandidateCount => Math.Max(RootPoolSize, ContextPoolSize);
}
