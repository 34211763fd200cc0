using System.Globalization;

namespace Evolve.DataCuration.Cleaning;

/// <summary>
/// Exact and near-duplicate detection (MinHash over word shingles, LSH banding, Jaccard check on the
/// signatures). Scope is the whole run: within and across shards, first occurrence in (shard name,
/// row) order wins, so the outcome does not depend on concurrency or restarts.
/// </summary>
public sealed record DeduplicationOptions
{
    public bool Exact { get; init; } = true;

    public bool Near { get; init; } = true;

    /// <summary>Estimated Jaccard similarity of shingle sets at or above which documents are near-duplicates.</summary>
    public double Threshold { get; init; } = 0.7;

    public const int MaxShingleSize = 16;

    /// <summary>Words per shingle.</summary>
    public int ShingleSize { get; init; } = 5;

    /// <summary>LSH bands; with <see cref="RowsPerBand"/> this fixes the number of MinHash values (bands × rows).</summary>
    public int Bands { get; init; } = 16;

    public int RowsPerBand { get; init; } = 4;

    public int SignatureLength => Bands * RowsPerBand;

    /// <summary>
    /// Bumped whenever the exact key, the word or shingle hashing, or the banding changes: it is part of
    /// <see cref="Canonical"/>, so signature files, plans and curated shards of an older version are recomputed
    /// instead of mixed with new ones.
    /// </summary>
    public const int AlgorithmVersion = 4;

    /// <summary>The parameters and the algorithm version in one string: the identity of a signature computation.</summary>
    public string Canonical => string.Create(CultureInfo.InvariantCulture,
        $"v{AlgorithmVersion};exact={Exact};near={Near};threshold={Threshold:R};shingle={ShingleSize};bands={Bands};rows={RowsPerBand}");

    public void Validate()
    {
        if (Threshold is <= 0 or > 1) throw new ArgumentException($"Deduplication threshold must be in (0, 1], got {Threshold}.");
        if (ShingleSize is < 1 or > MaxShingleSize) throw new ArgumentException($"Shingle size must be 1 to {MaxShingleSize} words, got {ShingleSize}.");
        if (Bands < 1 || RowsPerBand < 1) throw new ArgumentException("LSH needs at least one band of at least one row.");
        if (SignatureLength % 8 != 0) throw new ArgumentException("Bands × rows per band must be a multiple of 8 (the MinHash vector width).");
    }
}
