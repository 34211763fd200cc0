namespace Evolve.DataCuration.Parquet;

/// <summary>The input shard cannot be curated; the message names the problem and what to do about it.</summary>
public sealed class InvalidShardException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>A row group whose bytes are damaged: the one wording every reader of shards uses.</summary>
    internal static InvalidShardException CorruptRowGroup(string path, int rowGroup, string problem, Exception? inner = null) =>
        new($"Row group {rowGroup} of '{Path.GetFileName(path)}' cannot be read (truncated or corrupt: {problem}). " +
            "Re-download or regenerate the shard.", inner);

    /// <summary>A row group the file system would not hand over (not a statement about the bytes).</summary>
    internal static InvalidShardException UnreadableRowGroup(string path, int rowGroup, Exception inner) =>
        new($"Row group {rowGroup} of '{Path.GetFileName(path)}' cannot be read ({inner.Message}).", inner);
}
