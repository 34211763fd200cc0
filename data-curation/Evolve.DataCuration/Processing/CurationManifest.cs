using System.Text.Json;
using Evolve.Core.IO;

namespace Evolve.DataCuration.Processing;

/// <summary>The run's manifest: every shard's entry plus totals. Written atomically to "manifest.json".</summary>
public sealed record CurationManifest
{
    public const string FileName = "manifest.json";

    public required string StrategyName { get; init; }

    public required string StrategyHash { get; init; }

    public string? PlanHash { get; init; }

    public int ExactDuplicatesPlanned { get; init; }

    public int NearDuplicatesPlanned { get; init; }

    public required IReadOnlyList<ShardRecord> Shards { get; init; }

    public int ShardsOk => Shards.Count(s => s.IsOk);

    public int ShardsFailed => Shards.Count(s => !s.IsOk);

    public long DocumentsIn => Shards.Sum(s => s.DocumentsIn);

    public long DocumentsOut => Shards.Sum(s => s.DocumentsOut);

    public long BytesIn => Shards.Sum(s => s.BytesIn);

    public long BytesOut => Shards.Sum(s => s.BytesOut);

    /// <summary>Per operation, summed over the shards that completed.</summary>
    public IReadOnlyList<OperationRecord> Operations => Shards.Where(s => s.IsOk).SelectMany(s => s.Operations)
        .GroupBy(o => o.Operation)
        .Select(g => new OperationRecord(g.Key, g.Sum(o => o.Removals), g.Sum(o => o.Edits), g.Sum(o => o.CharactersRemoved)))
        .ToList();

    public Task WriteAsync(string outputDirectory, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllTextAsync(Path.Combine(outputDirectory, FileName), JsonSerializer.Serialize(this, ShardRecord.Json), cancellationToken);

    public static CurationManifest Read(string outputDirectory) =>
        JsonSerializer.Deserialize<CurationManifest>(File.ReadAllText(Path.Combine(outputDirectory, FileName)), ShardRecord.Json)
        ?? throw new InvalidDataException($"Manifest in '{outputDirectory}' is empty.");
}
