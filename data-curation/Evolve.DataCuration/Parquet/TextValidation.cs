namespace Evolve.DataCuration.Parquet;

/// <summary>The one place that decides what invalid text is and what the error says (curation and the signature pass agree).</summary>
internal static class TextValidation
{
    /// <summary>Parquet.Net decodes invalid UTF-8 into U+FFFD; see <see cref="InvalidTextPolicy"/>.</summary>
    public static bool IsInvalid(ReadOnlySpan<char> text) => text.Contains('\uFFFD');

    /// <summary>
    /// The same verdict on the UTF-8 bytes, without decoding them: invalid UTF-8 decodes to U+FFFD, and valid UTF-8
    /// holds it only as its own three bytes.
    /// </summary>
    public static bool IsInvalid(ReadOnlySpan<byte> utf8) => !System.Text.Unicode.Utf8.IsValid(utf8) || utf8.IndexOf("\uFFFD"u8) >= 0;

    public static InvalidShardException InvalidUtf8(string shard, long row, int rowGroup, ShardFormatOptions format) =>
        new($"Row {row} (row group {rowGroup}) of '{shard}' has invalid UTF-8 in text column '{format.TextColumn}'. " +
            "Fix the producer of the shard, or set InvalidText to DropDocument to drop such rows.");
}
