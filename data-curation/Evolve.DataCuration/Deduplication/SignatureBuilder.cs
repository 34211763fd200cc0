using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Parquet;
using Evolve.DataCuration.Processing;

namespace Evolve.DataCuration.Deduplication;

/// <summary>
/// Pass one of deduplication, per shard and idempotent: reads only the text column and writes the
/// shard's signature file. A file computed from the same input with the same parameters is reused.
/// </summary>
public sealed class SignatureBuilder(ShardFormatOptions format)
{
    public async Task<string> BuildAsync(string inputPath, string signaturePath, DeduplicationOptions options, CancellationToken cancellationToken)
    {
        var fingerprint = FileFingerprint.Of(inputPath);
        if (ShardSignatures.TryReadHeader(signaturePath) is { } header && header.Parameters == options.Canonical && header.InputFingerprint == fingerprint)
        {
            return signaturePath;
        }

        var hasher = new MinHasher(options);
        bool[] present;
        ulong[] exact;
        uint[] signatures;
        ulong[] bandKeys;
        await using (var reader = await ShardReader.OpenAsync(inputPath, format, cancellationToken))
        {
            // Sized once from the footer: growing lists would copy these (large-object-heap) arrays several times per shard.
            var rows = checked((int)reader.RowCount);
            present = new bool[rows];
            exact = new ulong[rows];
            signatures = new uint[checked(rows * hasher.SignatureLength)];
            bandKeys = new ulong[checked(rows * options.Bands)];
            var row = 0;
            var decoded = new char[4096];
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                foreach (var value in await reader.ReadTextUtf8Async(g, cancellationToken))
                {
                    var text = Decode(value, ref decoded);
                    var invalid = TextValidation.IsInvalid(text);
                    // Rows curation will reject must not claim first occurrences, or they would suppress valid copies.
                    if (invalid && format.InvalidText == InvalidTextPolicy.FailShard)
                    {
                        throw TextValidation.InvalidUtf8(Path.GetFileName(inputPath), row, g, format);
                    }

                    var signature = signatures.AsSpan(row * hasher.SignatureLength, hasher.SignatureLength);
                    var usable = !invalid && !text.IsWhiteSpace();
                    present[row] = usable;
                    if (usable)
                    {
                        exact[row] = MinHasher.ExactKey(text);
                        hasher.Compute(text, signature);
                        LshIndex.KeysOf(signature, options, bandKeys.AsSpan(row * options.Bands, options.Bands));
                    }
                    else
                    {
                        signature.Fill(uint.MaxValue);
                    }

                    row++;
                }
            }

            if (row != rows) throw new InvalidShardException($"'{Path.GetFileName(inputPath)}' has {row} rows in its row groups but {rows} in its footer.");
        }

        var result = new ShardSignatures(Path.GetFileName(inputPath), options.Canonical, fingerprint, hasher.SignatureLength, options.Bands,
            present, exact, signatures, bandKeys);
        await result.WriteAsync(signaturePath, cancellationToken);
        return signaturePath;
    }

    /// <summary>UTF-8 to UTF-16 into a reused buffer; invalid bytes become U+FFFD, as in the curation pass's strings.</summary>
    private static ReadOnlySpan<char> Decode(ReadOnlyMemory<byte>? value, ref char[] buffer)
    {
        if (value is not { } bytes) return default;
        if (buffer.Length < bytes.Length) buffer = new char[Math.Max(bytes.Length, buffer.Length * 2)]; // UTF-16 never needs more chars than UTF-8 bytes
        return buffer.AsSpan(0, System.Text.Encoding.UTF8.GetChars(bytes.Span, buffer));
    }
}
