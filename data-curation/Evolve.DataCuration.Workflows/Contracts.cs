using Evolve.DataCuration.Parquet;
using Evolve.DataCuration.Strategies;

namespace Evolve.DataCuration.Workflows;

/// <summary>The shard layout, as plain data so it can travel in workflow and activity inputs.</summary>
public sealed record CurationFormat(string TextColumn = "text", string IdColumn = "id", string InputPattern = "*.parquet", bool DropInvalidText = false)
{
    public ShardFormatOptions ToOptions() => new()
    {
        TextColumn = TextColumn,
        IdColumn = IdColumn,
        InputPattern = InputPattern,
        InvalidText = DropInvalidText ? InvalidTextPolicy.DropDocument : InvalidTextPolicy.FailShard,
    };
}

/// <param name="InputDirectory">Folder with the input shards (never modified).</param>
/// <param name="OutputDirectory">Folder for curated shards, manifest.json and the "_curation" work files.</param>
/// <param name="Strategy">
/// The strategy file and its source hash (<see cref="StrategyReference.PersistAsync"/> keeps a copy in the output's work
/// folder, so editing the original cannot change a resumed run). Every activity compiles it once per process.
/// </param>
/// <param name="Parallelism">Shard activities running at once.</param>
public sealed record DataCurationInput(string InputDirectory, string OutputDirectory, StrategyReference Strategy,
    int Parallelism = 2, CurationFormat? Format = null);

public sealed record FailedShard(string Shard, string Error);

/// <summary>What the workflow returns: the manifest's totals plus the failed shards and their errors.</summary>
public sealed record DataCurationResult(
    string StrategyName,
    string StrategyHash,
    string? PlanHash,
    string ManifestPath,
    int ShardsTotal,
    int ShardsOk,
    int ShardsFailed,
    int ShardsReused,
    long DocumentsIn,
    long DocumentsOut,
    long BytesIn,
    long BytesOut,
    int ExactDuplicatesPlanned,
    int NearDuplicatesPlanned,
    IReadOnlyList<FailedShard> Failed,
    double ElapsedSeconds);

/// <summary>The workflow's custom status while it runs.</summary>
public sealed record DataCurationStatus(
    string Phase,
    int ShardsDone,
    int ShardsFailed,
    int ShardsTotal,
    long DocumentsProcessed,
    double DocumentsPerSecond,
    long BytesSaved,
    double? EtaSeconds)
{
    public override string ToString() =>
        FormattableString.Invariant(
            $"{Phase}: {ShardsDone}/{ShardsTotal} shards ({ShardsFailed} failed), {DocumentsPerSecond:F0} docs/s, {BytesSaved / 1e6:F1} MB saved, ETA {(EtaSeconds is { } eta ? TimeSpan.FromSeconds(Math.Round(eta)).ToString() : "?")}");
}

// Activity inputs and outputs: paths and counts only, never document text.

public sealed record ListShardsInput(string InputDirectory, string OutputDirectory, StrategyReference Strategy, CurationFormat Format);

/// <param name="Shards">Full paths of the input shards, in ordinal name order.</param>
public sealed record ShardListing(IReadOnlyList<string> Shards, string StrategyName, string StrategyHash, bool Deduplicates);

public sealed record ShardSignatureInput(string ShardPath, string OutputDirectory, StrategyReference Strategy, CurationFormat Format);

/// <param name="SignaturePath">Null when the shard could not be read; its curation then fails with the error.</param>
public sealed record ShardSignatureResult(string Shard, string? SignaturePath, string? Error);

public sealed record DuplicatePlanInput(string OutputDirectory, StrategyReference Strategy, IReadOnlyList<string> SignatureFiles);

public sealed record DuplicatePlanSummary(string Hash, int ExactDuplicates, int NearDuplicates);

/// <param name="PlanHash">The plan the shard must be cleaned with (null when the strategy does not deduplicate).</param>
public sealed record ShardCurationInput(string ShardPath, string OutputDirectory, StrategyReference Strategy, CurationFormat Format, string? PlanHash);

public sealed record ShardCurationResult(string Shard, string Status, string? Error, long DocumentsIn, long DocumentsOut, long BytesIn, long BytesOut,
    double DurationSeconds, bool Reused)
{
    public bool IsOk => Status == Processing.ShardRecord.Ok;
}

public sealed record CurationManifestInput(string OutputDirectory, StrategyReference Strategy, IReadOnlyList<string> Shards, DuplicatePlanSummary? Plan);

public sealed record CurationManifestSummary(string ManifestPath, int ShardsOk, int ShardsFailed, long DocumentsIn, long DocumentsOut, long BytesIn,
    long BytesOut, IReadOnlyList<FailedShard> Failed);
