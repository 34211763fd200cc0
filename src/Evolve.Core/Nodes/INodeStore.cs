namespace Evolve.Core;

/// <summary>
/// The node database of one campaign. Every write is idempotent so activities may be retried freely.
/// </summary>
public interface INodeStore
{
    string CampaignId { get; }

    /// <summary>
    /// Writes the node of <see cref="Node.Round"/> once. A retry with the same content is a no-op that returns the stored
    /// node; a different node for an already committed round is not written (the first commit wins) and is reported as a conflict.
    /// </summary>
    Task<CommitResult> CommitNodeAsync(Node node, CancellationToken cancellationToken = default);

    Task<Node?> GetAsync(string nodeId, CancellationToken cancellationToken = default);
    Task<Node?> GetByRoundAsync(long round, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<Node>> GetManyAsync(IReadOnlyCollection<string> nodeIds, CancellationToken cancellationToken = default);

    /// <summary>Ok nodes by score, best first (ties: earlier round first); optionally one island only.</summary>
    Task<IReadOnlyList<NodeSummary>> TopAsync(int count, int? island = null, CancellationToken cancellationToken = default);
    /// <summary>Failed nodes, most recent round first; optionally one island only.</summary>
    Task<IReadOnlyList<NodeSummary>> RecentFailuresAsync(int count, int? island = null, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<NodeSummary>> ByStatusAsync(NodeStatus status, int limit, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<NodeSummary>> ByIslandAsync(int island, int limit, CancellationToken cancellationToken = default);
    /// <summary>Full nodes committed after <paramref name="afterSequence"/>, in commit order.</summary>
    Task<IReadOnlyList<Node>> CommittedAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken = default);
    /// <summary>All nodes in round order, for export.</summary>
    IAsyncEnumerable<Node> AllAsync(CancellationToken cancellationToken = default);

    Task<Node?> BestAsync(CancellationToken cancellationToken = default);
    /// <summary>Best score after each round, for plots: never decreases.</summary>
    Task<IReadOnlyList<BestSoFarPoint>> BestSoFarAsync(CancellationToken cancellationToken = default);
    Task<NodeCounts> CountAsync(CancellationToken cancellationToken = default);
    /// <summary>Rounds between 0 and the highest committed round that have no node.</summary>
    Task<IReadOnlyList<long>> MissingRoundsAsync(CancellationToken cancellationToken = default);

    /// <summary>All ancestors of a node (parents, their parents, …) with their distance, nearest first.</summary>
    Task<IReadOnlyList<LineageEntry>> AncestorsAsync(string nodeId, CancellationToken cancellationToken = default);
    /// <summary>All descendants of a node with their distance, nearest first.</summary>
    Task<IReadOnlyList<LineageEntry>> DescendantsAsync(string nodeId, CancellationToken cancellationToken = default);

    Task IncrementVisitsAsync(IReadOnlyCollection<string> nodeIds, CancellationToken cancellationToken = default);
}

public enum CommitOutcome
{
    /// <summary>The node was written now.</summary>
    Inserted,
    /// <summary>The same node was already committed for this round (a replay or retry).</summary>
    AlreadyCommitted,
    /// <summary>A different node was already committed for this round; it was kept and is returned.</summary>
    ConflictKeptExisting,
}

public sealed record CommitResult(Node Node, CommitOutcome Outcome);

/// <summary>The few fields samplers and listings need, without code or analysis.</summary>
public sealed record NodeSummary(string Id, long Round, string Name, double? Score, NodeStatus Status, int Island, long Visits);

public sealed record LineageEntry(NodeSummary Node, int Distance);

public sealed record BestSoFarPoint(long Round, double? Score, double? BestScore);

public sealed record NodeCounts(long Total, long Ok, long Failed, long MaxRound, IReadOnlyDictionary<NodeStatus, long> ByStatus);
