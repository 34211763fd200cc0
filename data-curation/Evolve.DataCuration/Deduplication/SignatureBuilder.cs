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
        var fingerprint = AtomicFile.Fingerprint(inputPath);
        if (ShardSignatures.TryReadHeader(signaturePath) is { } header && header.Parameters == options.Canonical && header.InputFingerprint == fingerprint)
        {
            return signaturePath;
        }

        var hasher = new MinHasher(options);
        var present = new List<bool>();
        var exact = new List<ulong>();
        var signatures = new List<uint>();
        var signature = new uint[hasher.SignatureLength];
        await using (var reader = await ShardReader.OpenAsync(inputPath, format, cancellationToken))
        {
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                foreach (var text in await reader.ReadTextAsync(g, cancellationToken))
                {
                    // Rows curation will reject must not claim first occurrences, or they would suppress valid copies.
                    if (text is not null && TextValidation.IsInvalid(text) && format.InvalidText == InvalidTextPolicy.FailShard)
                    {
                        throw TextValidation.InvalidUtf8(Path.GetFileName(inputPath), present.Count, g, format);
                    }

                    var usable = !string.IsNullOrWhiteSpace(text) && !TextValidation.IsInvalid(text);
                    present.Add(usable);
                    exact.Add(usable ? MinHasher.ExactKey(text) : 0);
                    if (usable) hasher.Compute(text, signature);
                    else Array.Fill(signature, uint.MaxValue);
                    signatures.AddRange(signature);
                }
            }
        }

        var result = new ShardSignatures(Path.GetFileName(inputPath), options.Canonical, fingerprint, hasher.SignatureLength,
            [.. present], [.. exact], [.. signatures]);
        await result.WriteAsync(signaturePath, cancellationToken);
        return signaturePath;
    }
}
