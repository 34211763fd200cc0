namespace Evolve.Core;

public enum CognitionOrigin
{
    /// <summary>A human prior imported from the task's cognition.jsonl.</summary>
    Seed,
    /// <summary>An insight distilled by the analyzer from a node's results.</summary>
    Analyzer,
}

/// <summary>One piece of knowledge the researcher can retrieve.</summary>
public sealed record CognitionItem
{
    public required string Id { get; init; }
    public required string Content { get; init; }
    public string Source { get; init; } = "";
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata;
    public ReadOnlyMemory<float> Embedding { get; init; }
    public CognitionOrigin Origin { get; init; }
    /// <summary>Round that produced an analyzer insight; null for seed items.</summary>
    public long? Round { get; init; }
    /// <summary>Nodes whose analysis produced or confirmed this item (analyzer insights).</summary>
    public IReadOnlyList<string> SupportingNodeIds { get; init; } = [];
    /// <summary>How many times the item was stated: 1 plus the near-duplicates merged into it.</summary>
    public int SupportCount { get; init; } = 1;
    public DateTimeOffset CreatedAt { get; init; }

    public static IReadOnlyDictionary<string, string> EmptyMetadata { get; } = new Dictionary<string, string>();
}

public sealed record CognitionHit(CognitionItem Item, double Similarity);

/// <summary>An analyzer insight to record, with where it came from.</summary>
public sealed record InsightInput(string Content, string NodeId, long Round, string Source = "analyzer", IReadOnlyDictionary<string, string>? Metadata = null);

public sealed record InsightResult(CognitionItem Item, bool MergedIntoExisting);

public sealed record CognitionImportResult(int Imported, int AlreadyPresent, IReadOnlyList<CognitionImportError> Errors);

public sealed record CognitionImportError(int LineNumber, string Message)
{
    public override string ToString() => $"line {LineNumber}: {Message}";
}

/// <summary>The cognition store of one campaign: seed priors plus analyzer insights, searched by embedding.</summary>
public interface ICognitionStore
{
    /// <summary>
    /// Imports a cognition.jsonl file (one JSON object per line with "content", optional "source" and "metadata").
    /// Bad lines are reported with their line number; the other lines are still imported. Re-importing is a no-op.
    /// </summary>
    Task<CognitionImportResult> ImportJsonlAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Items most similar to <paramref name="query"/>, best first, at most <paramref name="topK"/>, none below <paramref name="minSimilarity"/>.</summary>
    Task<IReadOnlyList<CognitionHit>> SearchAsync(string query, int topK, double minSimilarity, CancellationToken cancellationToken = default);

    /// <summary>Adds an analyzer insight, or merges it into a near-duplicate (bumping its support). Idempotent per (node, content).</summary>
    Task<InsightResult> AddInsightAsync(InsightInput insight, CancellationToken cancellationToken = default);

    /// <summary>Adds one item by hand (an operator's "add cognition" event). Idempotent per content.</summary>
    Task<CognitionItem> AddSeedAsync(string content, string source, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default);

    Task<CognitionItem?> GetAsync(string id, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<CognitionItem>> ListAsync(CognitionOrigin? origin = null, CancellationToken cancellationToken = default);
    Task<int> CountAsync(CancellationToken cancellationToken = default);
}
