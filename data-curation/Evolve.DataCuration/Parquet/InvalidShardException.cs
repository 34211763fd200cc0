namespace Evolve.DataCuration.Parquet;

/// <summary>The input shard cannot be curated; the message names the problem and what to do about it.</summary>
public sealed class InvalidShardException(string message, Exception? inner = null) : Exception(message, inner);
