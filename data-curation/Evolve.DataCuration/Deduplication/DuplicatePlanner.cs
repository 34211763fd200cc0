using System.Security.Cryptography;
using System.Text;
using Evolve.DataCuration.Cleaning;

namespace Evolve.DataCuration.Deduplication;

/// <summary>
/// Pass two of deduplication: walks all signatures in (shard name, row) order and marks every document
/// whose exact key was seen, or whose LSH bucket holds an earlier document with estimated Jaccard at or
/// above the threshold. First occurrence wins, whatever order shards were processed in.
/// Memory grows with the number of documents (signature length × 4 bytes each, plus about 30 bytes per
/// band in the LSH index); for corpora beyond
/// a few tens of millions of documents the band index would have to be partitioned.
/// </summary>
public sealed class DuplicatePlanner
{
    public async Task<DuplicatePlan> PlanAsync(IReadOnlyList<string> signatureFiles, DeduplicationOptions options, string planPath, CancellationToken cancellationToken)
    {
        var ordered = signatureFiles.OrderBy(Path.GetFileName, StringComparer.Ordinal).ToList();
        var hash = PlanHash(ordered, options);
        if (DuplicatePlan.TryRead(planPath) is { } existing && existing.Hash == hash) return existing;

        // Every signature is needed for the similarity checks, so all files are read up front; that also gives the
        // document count the index is sized by.
        var loaded = new List<ShardSignatures>(ordered.Count);
        foreach (var file in ordered)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var signatures = ShardSignatures.Read(file);
            if (signatures.Parameters != options.Canonical)
            {
                throw new InvalidDataException(
                    $"Signature file '{file}' was computed with '{signatures.Parameters}', not '{options.Canonical}'; delete it to recompute.");
            }

            loaded.Add(signatures);
        }

        var firstDocument = new int[loaded.Count + 1]; // a document's number is its file's first number plus its row
        for (var f = 0; f < loaded.Count; f++) firstDocument[f + 1] = checked(firstDocument[f] + loaded[f].RowCount);
        var exactSeen = new HashSet<ulong>(firstDocument[^1]);
        var index = options.Near ? new LshIndex(firstDocument[^1], options.Bands) : null;
        Span<int> heads = stackalloc int[options.Bands];
        var duplicates = new Dictionary<string, int[]>(StringComparer.Ordinal);
        int exactCount = 0, nearCount = 0;
        for (var f = 0; f < loaded.Count; f++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var shard = loaded[f];
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

                if (index is null) continue;
                var signature = shard.SignatureOf(r);
                var bandKeys = shard.BandKeysOf(r);
                index.Find(bandKeys, heads);
                if (IsNearDuplicate(signature, heads, loaded, firstDocument, options.Threshold))
                {
                    rows.Add(r);
                    nearCount++;
                    continue;
                }

                index.Add(bandKeys, firstDocument[f] + r);
            }

            duplicates[shard.Shard] = [.. rows];
        }

        var plan = new DuplicatePlan(hash, duplicates, exactCount, nearCount);
        await plan.WriteAsync(planPath, cancellationToken);
        return plan;
    }

    /// <summary>Whether an earlier document heading one of the buckets is similar enough (bands in order, as they share heads).</summary>
    private static bool IsNearDuplicate(ReadOnlySpan<uint> signature, ReadOnlySpan<int> heads, List<ShardSignatures> loaded, int[] firstDocument,
        double threshold)
    {
        var checkedHead = -1;
        foreach (var head in heads)
        {
            if (head < 0 || head == checkedHead) continue;
            checkedHead = head;
            var file = Array.BinarySearch(firstDocument, head);
            if (file < 0) file = ~file - 1;
            while (file + 1 < firstDocument.Length && firstDocument[file + 1] == head) file++; // skip files without rows
            if (MinHasher.Similarity(signature, loaded[file].SignatureOf(head - firstDocument[file])) >= threshold) return true;
        }

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
