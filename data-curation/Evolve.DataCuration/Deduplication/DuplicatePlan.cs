using System.Text.Json;
using System.Text.Json.Serialization;
using Evolve.DataCuration.Processing;
using Evolve.Core.IO;

namespace Evolve.DataCuration.Deduplication;

/// <summary>
/// Which rows of which shard duplicate an earlier document in the run. A pure function of the
/// signature files, so rebuilding it after a crash gives the same plan.
/// </summary>
public sealed class DuplicatePlan
{
    [JsonConstructor]
    public DuplicatePlan(string hash, Dictionary<string, int[]> duplicateRows, int exactDuplicates, int nearDuplicates,
        Dictionary<string, string>? shardHashes = null)
    {
        Hash = hash;
        DuplicateRows = duplicateRows;
        ExactDuplicates = exactDuplicates;
        NearDuplicates = nearDuplicates;
        ShardHashes = shardHashes ?? [];
    }

    /// <summary>Identifies the whole plan (the manifest and the durable workflow's activities name it).</summary>
    public string Hash { get; }

    /// <summary>Shard file name → ascending row indices (over the whole shard) to drop.</summary>
    public Dictionary<string, int[]> DuplicateRows { get; }

    /// <summary>
    /// Shard file name → the hash of what decides that shard's duplicates: the parameters and the signatures of the
    /// shard and of every shard before it in plan order. A shard's output records it, and a different hash means the
    /// shard is redone, so adding shards that sort after it (a corpus that grows) leaves it as it is.
    /// </summary>
    public Dictionary<string, string> ShardHashes { get; }

    public int ExactDuplicates { get; }

    public int NearDuplicates { get; }

    /// <summary>The hash a shard's output must record (the plan's own hash for a shard it has no signatures of).</summary>
    public string HashFor(string shard) => ShardHashes.TryGetValue(shard, out var hash) ? hash : Hash;

    /// <summary>The part of a plan one shard needs, handed over before the rest of the plan exists.</summary>
    public static DuplicatePlan ForShard(string shard, int[] rows, string shardHash) =>
        new(shardHash, new Dictionary<string, int[]> { [shard] = rows }, 0, 0, new Dictionary<string, string> { [shard] = shardHash });

    public ReadOnlySpan<int> RowsFor(string shard) => DuplicateRows.TryGetValue(shard, out var rows) ? rows : [];

    public Task WriteAsync(string path, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllTextAsync(path, JsonSerializer.Serialize(this), cancellationToken);

    public static DuplicatePlan? TryRead(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<DuplicatePlan>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
