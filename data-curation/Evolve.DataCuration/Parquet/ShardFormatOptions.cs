using Parquet;

namespace Evolve.DataCuration.Parquet;

/// <summary>How shards are laid out: which column holds the document text and how output is written.</summary>
public sealed class ShardFormatOptions
{
    /// <summary>The column with the document text (Nemotron-CC: "text"). Every other column is carried through unchanged.</summary>
    public string TextColumn { get; set; } = "text";

    /// <summary>The column that identifies a document (Nemotron-CC: "warc_record_id"; the synthetic shards: "id").</summary>
    public string IdColumn { get; set; } = "id";

    /// <summary>Compression of output shards. Snappy is what most Parquet producers (and Nemotron-CC) use.</summary>
    public CompressionMethod Compression { get; set; } = CompressionMethod.Snappy;

    /// <summary>What to do with text that was not valid UTF-8 in the file.</summary>
    public InvalidTextPolicy InvalidText { get; set; } = InvalidTextPolicy.FailShard;

    /// <summary>File pattern of input shards in a directory.</summary>
    public string InputPattern { get; set; } = "*.parquet";

    internal ParquetOptions ToParquetOptions() => new()
    {
        CompressionMethod = Compression,
        // Bound the stream pool Parquet.Net keeps between row groups; unbounded it only grows.
        MaximumSmallPoolFreeBytes = 16 << 20,
        MaximumLargePoolFreeBytes = 64 << 20,
    };
}

/// <summary>
/// Parquet.Net decodes invalid UTF-8 into U+FFFD replacement characters, so a replacement character in
/// the text is how invalid bytes show up. Failing the shard is the safe default: it usually means a
/// broken producer, and silently keeping garbage would poison the corpus.
/// </summary>
public enum InvalidTextPolicy
{
    /// <summary>The shard fails with an error naming the row.</summary>
    FailShard,

    /// <summary>The document is dropped and counted in the shard statistics.</summary>
    DropDocument,
}
