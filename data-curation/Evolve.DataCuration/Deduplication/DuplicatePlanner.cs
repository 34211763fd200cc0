using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Cleaning.Text;

namespace Evolve.DataCuration.Deduplication;

/// <summary>
/// Pass two of deduplication: walks all signatures in (shard name, row) order and marks every document
/// whose exact key was seen, or whose LSH bucket holds an earlier document with estimated Jaccard at or
/// above the threshold. First occurrence wins, whatever order shards were processed in.
/// Memory grows with the number of documents (signature length × 4 bytes each); for corpora beyond
/// a few tens of millions of documents the band index would have to be partitioned.
/// </summary>
public sealed class DuplicatePlanner
{
    public async Task<DuplicatePlan> PlanAsync(IReadOnlyList<string> signatureFiles, DeduplicationOptions options, string planPath, CancellationToken cancellationToken)
    {
        var ordered = signatureFiles.OrderBy(Path.GetFileName, StringComparer.Ordinal).ToList();
        var hash = PlanHash(ordered, options);
        if (DuplicatePlan.TryRead(planPath) is { } existing && existing.Hash == hash) return existing;

        var exactSeen = new HashSet<ulong>();
        var bands = new Dictionary<ulong, (int File, int Row)>[options.Bands];
        for (var b = 0; b < bands.Length; b++) bands[b] = [];
        var loaded = new List<ShardSignatures>();
        var duplicates = new Dictionary<string, int[]>(StringComparer.Ordinal);
        int exactCount = 0, nearCount = 0;
        foreach (var file in ordered)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var shard = ShardSignatures.Read(file);
            var fileIndex = loaded.Count;
            loaded.Add(shard);
            var rows = new List<int>();
            for (var r = 0; r < shard.RowCount; r++)
            {
                if (!shard.Present[r]) continue;
                if (options.Exact && !exactSeen.Add(shard.ExactKeys[r]))
                {
                    rows.Add(r);
                    exactCount++;
                    continue;
                }

                if (options.Near && IsNearDuplicate(shard, r, bands, loaded, fileIndex, options))
                {
                    rows.Add(r);
                    nearCount++;
                }
            }

            duplicates[shard.Shard] = [.. rows];
        }

        var plan = new DuplicatePlan(hash, duplicates, exactCount, nearCount);
        await plan.WriteAsync(planPath, cancellationToken);
        return plan;
    }

    private static bool IsNearDuplicate(ShardSignatures shard, int row, Dictionary<ulong, (int File, int Row)>[] bands,
        List<ShardSignatures> loaded, int fileIndex, DeduplicationOptions options)
    {
        var signature = shard.SignatureOf(row);
        Span<ulong> keys = stackalloc ulong[options.Bands];
        for (var b = 0; b < options.Bands; b++)
        {
            var band = MemoryMarshal.Cast<uint, char>(signature.Slice(b * options.RowsPerBand, options.RowsPerBand));
            keys[b] = FastHash.Hash64(band);
            if (bands[b].TryGetValue(keys[b], out var earlier) &&
                MinHasher.Similarity(signature, loaded[earlier.File].SignatureOf(earlier.Row)) >= options.Threshold)
            {
                return true;
            }
        }

        for (var b = 0; b < options.Bands; b++) bands[b].TryAdd(keys[b], (fileIndex, row));
        return false;
    }

    private static string PlanHash(IEnumerable<string> files, DeduplicationOptions options)
    {
        var canonical = new StringBuilder(options.Canonical);
        foreach (var file in files)
        {
            var header = ShardSignatures.TryReadHeader(file) ?? throw new InvalidDataException($"Signature file '{file}' is unreadable.");
            canonical.Append('\n').Append(Path.GetFileName(file)).Append('=').Append(header.InputFingerprint);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))[..16];
    }
}
