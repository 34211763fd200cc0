using System.Security.Cryptography;
using System.Text;
using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Processing;

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
        var ordered = InPlanOrder(signatureFiles, file => file).ToList();
        var hash = PlanHash(ordered.Select(file => (file,
            (ShardSignatures.TryReadHeader(file) ?? throw new InvalidDataException($"Signature file '{file}' is unreadable.")).InputFingerprint)), options);
        if (DuplicatePlan.TryRead(planPath) is { } existing && existing.Hash == hash) return existing;

        // Every signature is needed for the similarity checks, so all files are read up front; that also gives the
        // document count the index is sized by.
        var loaded = new List<ShardSignatures>(ordered.Count);
        foreach (var file in ordered)
        {
            cancellationToken.ThrowIfCancellationRequested();
            loaded.Add(ShardSignatures.Read(file));
        }

        var marker = new DuplicateMarker(options, loaded.Sum(s => (long)s.RowCount));
        foreach (var shard in loaded)
        {
            cancellationToken.ThrowIfCancellationRequested();
            marker.Add(shard);
        }

        var plan = marker.ToPlan(hash);
        await plan.WriteAsync(planPath, cancellationToken);
        return plan;
    }

    /// <summary>
    /// The order a plan walks shards in, by the name of their signature files: it decides which copy counts as first.
    /// </summary>
    public static IEnumerable<T> InPlanOrder<T>(IEnumerable<T> shards, Func<T, string> signatureFile) =>
        shards.OrderBy(shard => Path.GetFileName(signatureFile(shard)), StringComparer.Ordinal);

    /// <summary>What a plan is identified by: the parameters and, in plan order, each signature file with its input's fingerprint.</summary>
    public static string PlanHash(IEnumerable<(string SignatureFile, string InputFingerprint)> ordered, DeduplicationOptions options)
    {
        using var hash = StartPlanHash(options);
        foreach (var (file, fingerprint) in ordered) AddToPlanHash(hash, Path.GetFileName(file), fingerprint);
        return PlanHashText(hash);
    }

    /// <summary>The plan hash of no shards yet; <see cref="AddToPlanHash"/> adds them in plan order (<see cref="DuplicateMarker"/> reads it after each).</summary>
    internal static IncrementalHash StartPlanHash(DeduplicationOptions options)
    {
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(options.Canonical));
        return hash;
    }

    internal static void AddToPlanHash(IncrementalHash hash, string signatureFileName, string inputFingerprint) =>
        hash.AppendData(Encoding.UTF8.GetBytes($"\n{signatureFileName}={inputFingerprint}"));

    internal static string PlanHashText(IncrementalHash hash) => Convert.ToHexStringLower(hash.GetCurrentHash())[..16];
}

/// <summary>
/// The plan's decisions, one shard at a time in plan order: a shard's duplicates are final as soon as it is added,
/// since only earlier documents count. So a driver can plan each shard while later shards' signatures are still
/// being computed. Keeps every added shard's signatures (the similarity checks of later shards need them).
/// </summary>
public sealed class DuplicateMarker
{
    private readonly DeduplicationOptions options;
    private readonly HashSet<ulong> exactSeen;
    private readonly LshIndex? index;
    private readonly List<ShardSignatures> added = [];
    private readonly List<int> firstDocument = [0]; // a document's number is its shard's first number plus its row
    private readonly Dictionary<string, int[]> duplicates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> shardHashes = new(StringComparer.Ordinal);
    private readonly IncrementalHash prefix;
    private int exactCount, nearCount;

    /// <param name="expectedDocuments">Sizes the tables up front (an estimate; they grow past it).</param>
    public DuplicateMarker(DeduplicationOptions options, long expectedDocuments = 0)
    {
        this.options = options;
        prefix = DuplicatePlanner.StartPlanHash(options);
        CurrentHash = DuplicatePlanner.PlanHashText(prefix);
        exactSeen = new HashSet<ulong>((int)Math.Min(expectedDocuments, Array.MaxLength));
        index = options.Near ? new LshIndex(expectedDocuments, options.Bands) : null;
    }

    /// <summary>Sizes the tables for <paramref name="documents"/> in all, when that was not known at construction (they only grow).</summary>
    public void Reserve(long documents)
    {
        exactSeen.EnsureCapacity((int)Math.Min(documents, Array.MaxLength));
        index?.Reserve(documents * options.Bands);
    }

    /// <summary>Marks the shard's duplicates (of earlier rows and of shards added before) and returns their rows.</summary>
    public int[] Add(ShardSignatures shard)
    {
        if (shard.Parameters != options.Canonical)
        {
            throw new InvalidDataException(
                $"The signatures of '{shard.Shard}' were computed with '{shard.Parameters}', not '{options.Canonical}'; delete the file to recompute.");
        }

        // As PlanHash adds shards, so after the last shard the prefix hash is the plan's hash.
        DuplicatePlanner.AddToPlanHash(prefix, CurationLayout.SignatureFileName(shard.Shard), shard.InputFingerprint);
        CurrentHash = shardHashes[shard.Shard] = DuplicatePlanner.PlanHashText(prefix);
        var first = firstDocument[^1];
        added.Add(shard);
        firstDocument.Add(checked(first + shard.RowCount));
        Span<int> heads = stackalloc int[options.Bands];
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
            var bandKeys = shard.BandKeysOf(r);
            index.Find(bandKeys, heads);
            if (IsNearDuplicate(shard.SignatureOf(r), heads))
            {
                rows.Add(r);
                nearCount++;
                continue;
            }

            index.Add(bandKeys, first + r);
        }

        int[] marked = [.. rows];
        duplicates[shard.Shard] = marked;
        return marked;
    }

    /// <summary>
    /// The hash of the parameters and the shards added so far (<see cref="DuplicatePlan.ShardHashes"/>); after the last
    /// shard, the plan's hash.
    /// </summary>
    public string CurrentHash { get; private set; }

    public DuplicatePlan ToPlan(string hash) => new(hash, new Dictionary<string, int[]>(duplicates, StringComparer.Ordinal), exactCount, nearCount,
        new Dictionary<string, string>(shardHashes, StringComparer.Ordinal));

    /// <summary>Whether an earlier document heading one of the buckets is similar enough (bands in order, as they share heads).</summary>
    private bool IsNearDuplicate(ReadOnlySpan<uint> signature, ReadOnlySpan<int> heads)
    {
        var checkedHead = -1;
        foreach (var head in heads)
        {
            if (head < 0 || head == checkedHead) continue;
            checkedHead = head;
            var shard = firstDocument.BinarySearch(head);
            if (shard < 0) shard = ~shard - 1;
            while (shard + 1 < firstDocument.Count && firstDocument[shard + 1] == head) shard++; // skip shards without rows
            if (MinHasher.Similarity(signature, added[shard].SignatureOf(head - firstDocument[shard])) >= options.Threshold) return true;
        }

        return false;
    }
}
