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
    public DuplicatePlan(string hash, Dictionary<string, int[]> duplicateRows, int exactDuplicates, int nearDuplicates)
    {
        Hash = hash;
        DuplicateRows = duplicateRows;
        ExactDuplicates = exactDuplicates;
        NearDuplicates = nearDuplicates;
    }

    /// <summary>Identifies the plan; a shard's output records it, and a different plan means the shard is redone.</summary>
    public string Hash { get; }

    /// <summary>Shard file name → ascending row indices (over the whole shard) to drop.</summary>
    public Dictionary<string, int[]> DuplicateRows { get; }

    public int ExactDuplicates { get; }

    public int NearDuplicates { get; }

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
