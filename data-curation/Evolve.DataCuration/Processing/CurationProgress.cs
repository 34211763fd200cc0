namespace Evolve.DataCuration.Processing;

/// <summary>A progress report of a run, sent after every finished shard.</summary>
public sealed record CurationProgress(
    int ShardsDone,
    int ShardsFailed,
    int ShardsTotal,
    long DocumentsProcessed,
    double DocumentsPerSecond,
    long BytesIn,
    long BytesSaved,
    TimeSpan? EstimatedRemaining)
{
    public override string ToString() =>
        FormattableString.Invariant(
            $"{ShardsDone}/{ShardsTotal} shards ({ShardsFailed} failed), {DocumentsPerSecond:F0} docs/s, {BytesSaved / 1e6:F1} MB saved, ETA {EstimatedRemaining?.ToString(@"hh\:mm\:ss") ?? "?"}");
}
