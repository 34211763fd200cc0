namespace Evolve.DataCuration.Parquet;

/// <summary>The one place that decides what invalid text is and what the error says (curation and the signature pass agree).</summary>
internal static class TextValidation
{
    /// <summary>Parquet.Net decodes invalid UTF-8 into U+FFFD; see <see cref="InvalidTextPolicy"/>.</summary>
    public static bool IsInvalid(ReadOnlySpan<char> text) => text.Contains('\uFFFD');

    public static InvalidShardException InvalidUtf8(string shard, long row, int rowGroup, ShardFormatOptions format) =>
        new($"Row {row} (row group {rowGroup}) of '{shard}' has invalid UTF-8 in text column '{format.TextColumn}'. " +
            "Fix the producer of the shard, or set InvalidText to DropDocument to drop such rows.");
}
