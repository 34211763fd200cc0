using System.Text.Json;
using System.Text.Json.Serialization;

namespace Evolve.DataCuration.Processing;

/// <summary>The manifest entry of one shard: what went in, what came out, what each operation did.</summary>
public sealed record ShardRecord
{
    public const string Ok = "ok";
    public const string Failed = "failed";

    public required string Shard { get; init; }

    public required string Status { get; init; }

    public string? Error { get; init; }

    public required string StrategyHash { get; init; }

    /// <summary>Size and modification time of the input when it was curated; a replaced input is curated again.</summary>
    public string? InputFingerprint { get; init; }

    /// <summary>
    /// What decided the shard's duplicates (<see cref="Deduplication.DuplicatePlan.HashFor"/>: the signatures of this shard and
    /// the shards before it in plan order); null without deduplication.
    /// </summary>
    public string? PlanHash { get; init; }

    public long DocumentsIn { get; init; }

    public long DocumentsOut { get; init; }

    /// <summary>UTF-8 bytes of text read.</summary>
    public long BytesIn { get; init; }

    /// <summary>UTF-8 bytes of text written.</summary>
    public long BytesOut { get; init; }

    /// <summary>Rows with null text: dropped and counted here (the documented choice), not a failure.</summary>
    public long NullTextDropped { get; init; }

    /// <summary>Rows whose text was invalid UTF-8, dropped under <see cref="Parquet.InvalidTextPolicy.DropDocument"/>.</summary>
    public long InvalidTextDropped { get; init; }

    public int RowGroups { get; init; }

    public IReadOnlyList<OperationRecord> Operations { get; init; } = [];

    public double DurationSeconds { get; init; }

    /// <summary>Size of the output file, checked when deciding whether a finished shard can be reused.</summary>
    public long OutputFileBytes { get; init; }

    public DateTimeOffset CompletedAt { get; init; }

    [JsonIgnore]
    public bool IsOk => Status == Ok;

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}

public sealed record OperationRecord(string Operation, long Removals, long Edits, long CharactersRemoved);
