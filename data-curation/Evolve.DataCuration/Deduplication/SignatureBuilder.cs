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
        await BuildOrReuseAsync(inputPath, signaturePath, options, cancellationToken, readReused: false);
        return signaturePath;
    }

    /// <summary>As <see cref="BuildAsync"/>, and hands the signatures over (read back from the file when it was reused).</summary>
    public async Task<ShardSignatures> BuildSignaturesAsync(string inputPath, string signaturePath, DeduplicationOptions options,
        CancellationToken cancellationToken) =>
        (await BuildOrReuseAsync(inputPath, signaturePath, options, cancellationToken, readReused: true))!;

    private async Task<ShardSignatures?> BuildOrReuseAsync(string inputPath, string signaturePath, DeduplicationOptions options,
        CancellationToken cancellationToken, bool readReused)
    {
        var fingerprint = FileFingerprint.Of(inputPath);
        if (ShardSignatures.TryReadHeader(signaturePath) is { } header && header.Parameters == options.Canonical && header.InputFingerprint == fingerprint)
        {
            return readReused ? ShardSignatures.Read(signaturePath) : null;
        }

        ShardSignatures result;
        await using (var reader = await ShardReader.OpenAsync(inputPath, format, cancellationToken))
        {
            // Sized once from the footer: growing lists would copy these (large-object-heap) arrays several times per shard.
            var rows = new SignatureRows(Path.GetFileName(inputPath), checked((int)reader.RowCount), options, format);
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using (var texts = await reader.TryReadTextSpansAsync(g, cancellationToken))
                {
                    if (texts is not null)
                    {
                        for (var i = 0; i < texts.Count; i++)
                        {
                            texts.TryGet(i, out var utf8); // a null reads as empty, like an empty string: never usable
                            rows.Add(utf8, g);
                        }

                        continue;
                    }
                }

                foreach (var value in await reader.ReadTextUtf8Async(g, cancellationToken)) rows.Add(value is { } bytes ? bytes.Span : default, g);
            }

            result = rows.Complete(fingerprint);
        }

        await result.WriteAsync(signaturePath, cancellationToken);
        return result;
    }

    /// <summary>A shard's signatures, filled row by row in file order.</summary>
    private sealed class SignatureRows(string shard, int rowCount, DeduplicationOptions options, ShardFormatOptions format)
    {
        private readonly MinHasher hasher = new(options);
        private readonly bool[] present = new bool[rowCount];
        private readonly ulong[] exact = new ulong[rowCount];
        private readonly uint[] signatures = new uint[checked(rowCount * options.SignatureLength)];
        private readonly ulong[] bandKeys = new ulong[checked(rowCount * options.Bands)];
        private int row;

        public void Add(ReadOnlySpan<byte> utf8, int rowGroup)
        {
            if (row == rowCount) throw RowCountMismatch(rowCount + 1);
            var invalid = TextValidation.IsInvalid(utf8);
            // Rows curation will reject must not claim first occurrences, or they would suppress valid copies.
            if (invalid && format.InvalidText == InvalidTextPolicy.FailShard)
            {
                throw TextValidation.InvalidUtf8(shard, row, rowGroup, format);
            }

            var signature = signatures.AsSpan(row * hasher.SignatureLength, hasher.SignatureLength);
            var usable = !invalid && !MinHasher.TrimWhiteSpace(utf8).IsEmpty;
            present[row] = usable;
            if (usable)
            {
                exact[row] = MinHasher.ExactKey(utf8);
                hasher.Compute(utf8, signature);
                LshIndex.KeysOf(signature, options, bandKeys.AsSpan(row * options.Bands, options.Bands));
            }
            else
            {
                signature.Fill(uint.MaxValue);
            }

            row++;
        }

        public ShardSignatures Complete(string fingerprint)
        {
            if (row != rowCount) throw RowCountMismatch(row);
            return new ShardSignatures(shard, options.Canonical, fingerprint, hasher.SignatureLength, options.Bands, present, exact, signatures, bandKeys);
        }

        private InvalidShardException RowCountMismatch(int rowsRead) =>
            new($"'{shard}' has {(rowsRead > rowCount ? "more than " + rowCount : rowsRead)} rows in its row groups but {rowCount} in its footer.");
    }
}
