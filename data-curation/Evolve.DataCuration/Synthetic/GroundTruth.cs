using System.Text.Json;
using System.Text.Json.Serialization;

namespace Evolve.DataCuration.Synthetic;

/// <summary>Kinds of injected noise, as recorded in the ground truth.</summary>
public static class NoiseKind
{
    public const string Html = "html";
    public const string Boilerplate = "boilerplate";
    public const string Pii = "pii";
    public const string Mojibake = "mojibake";
    public const string JunkLines = "junk-lines";
    public const string Duplicate = "duplicate";
    public const string NearDuplicate = "near-duplicate";
    public const string Fragment = "fragment";
    public const string Spam = "spam";
}

/// <summary>One injected piece of noise: its kind and a marker string whose absence from the output means it was removed.</summary>
public sealed record NoiseRecord(string Kind, string Marker);

/// <summary>
/// The truth about one generated document. <see cref="Clean"/> is what a perfect cleaner outputs
/// (PII already replaced by the mask tokens); null means the whole document should be dropped.
/// </summary>
public sealed record TruthRecord
{
    public required string Id { get; init; }

    public required string Domain { get; init; }

    public string? Clean { get; init; }

    /// <summary>"content", or the noise kind that makes the whole document unwanted (duplicate, fragment, …).</summary>
    public required string Kind { get; init; }

    public string? DuplicateOf { get; init; }

    public IReadOnlyList<NoiseRecord> Noise { get; init; } = [];

    /// <summary>The personal data injected; none of it may appear in the output.</summary>
    public IReadOnlyList<string> Pii { get; init; } = [];

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>Ground truth lives beside the shards in "_truth/NAME.jsonl", so the shard schema stays the realistic one.</summary>
public static class GroundTruthFiles
{
    public const string Folder = "_truth";

    public static string PathFor(string shardDirectory, string shard) => Path.Combine(shardDirectory, Folder, Path.GetFileNameWithoutExtension(shard) + ".jsonl");

    public static IEnumerable<TruthRecord> Read(string shardDirectory)
    {
        var folder = Path.Combine(shardDirectory, Folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"No ground truth in '{folder}'; generate the shards with the synthetic generator.");
        foreach (var file in Directory.GetFiles(folder, "*.jsonl").Order(StringComparer.Ordinal))
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.Length > 0) yield return JsonSerializer.Deserialize<TruthRecord>(line, TruthRecord.Json)!;
            }
        }
    }
}
