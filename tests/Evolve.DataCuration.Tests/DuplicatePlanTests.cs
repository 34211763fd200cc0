using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Deduplication;
using Evolve.DataCuration.Processing;
using Evolve.DataCuration.Synthetic;

namespace Evolve.DataCuration.Tests;

/// <summary>The runner plans each shard while later shards are still being hashed; the plan must not depend on that.</summary>
public sealed class DuplicatePlanTests
{
    [Fact]
    public async Task The_overlapped_plan_of_a_run_equals_the_plan_made_from_all_signature_files_at_once()
    {
        using var temp = new TempFolder();
        var input = temp.Sub("in");
        await new SyntheticCorpusGenerator().GenerateAsync(input, new SyntheticCorpusOptions(Shards: 5, DocumentsPerShard: 200, Seed: 9, RowGroupSize: 64), default);
        var output = temp.Sub("out");
        var strategy = Curation.Baseline();

        var manifest = await Curation.Runner().RunAsync(new CurationRunRequest(input, output, strategy, Parallelism: 3), null, default);
        var overlapped = DuplicatePlan.TryRead(CurationLayout.PlanPath(output))!;
        Assert.Equal(manifest.PlanHash, overlapped.Hash);
        Assert.True(overlapped.ExactDuplicates + overlapped.NearDuplicates > 20, "the corpus has duplicates to find, also across shards");

        // The activity path: every signature file, shuffled, planned in one go into a fresh plan file.
        var files = Directory.GetFiles(Path.GetDirectoryName(CurationLayout.SignaturePath(output, "x"))!).OrderBy(_ => Guid.NewGuid()).ToList();
        Assert.Equal(5, files.Count);
        var whole = await new DuplicatePlanner().PlanAsync(files, strategy.Deduplication!, Path.Combine(temp.Path, "plan.json"), default);

        Assert.Equal(whole.Hash, overlapped.Hash);
        Assert.Equal(whole.ExactDuplicates, overlapped.ExactDuplicates);
        Assert.Equal(whole.NearDuplicates, overlapped.NearDuplicates);
        Assert.Equal(whole.DuplicateRows.Keys.Order(), overlapped.DuplicateRows.Keys.Order());
        foreach (var (shard, rows) in whole.DuplicateRows) Assert.Equal(rows, overlapped.DuplicateRows[shard]);
        Assert.Equal(whole.ShardHashes.OrderBy(h => h.Key), overlapped.ShardHashes.OrderBy(h => h.Key));
        Assert.Equal(5, whole.ShardHashes.Values.Distinct().Count());
        foreach (var shard in manifest.Shards) Assert.Equal(whole.HashFor(shard.Shard), shard.PlanHash);
    }

    [Fact]
    public async Task A_corpus_that_grows_at_the_end_keeps_the_shards_already_curated()
    {
        using var temp = new TempFolder();
        var input = temp.Sub("in");
        await new SyntheticCorpusGenerator().GenerateAsync(input, new SyntheticCorpusOptions(Shards: 4, DocumentsPerShard: 120, Seed: 3, RowGroupSize: 64), default);
        var late = Path.Combine(input, "shard-00003.parquet");
        var parked = Path.Combine(temp.Path, "shard-00003.parquet");
        File.Move(late, parked);
        var output = temp.Sub("out");
        var first = await Curation.Runner().RunAsync(new CurationRunRequest(input, output, Curation.Baseline(), Parallelism: 2), null, default);
        Assert.Equal(3, first.ShardsOk);

        File.Move(parked, late);
        var second = await Curation.Runner().RunAsync(new CurationRunRequest(input, output, Curation.Baseline(), Parallelism: 2), null, default);

        Assert.Equal(4, second.ShardsOk);
        Assert.NotEqual(first.PlanHash, second.PlanHash); // the run's plan covers the new shard
        foreach (var before in first.Shards)
        {
            var after = second.Shards.Single(s => s.Shard == before.Shard);
            Assert.Equal(before.PlanHash, after.PlanHash); // nothing before it in plan order changed
            Assert.Equal(before.CompletedAt, after.CompletedAt); // so it was kept, not curated again
        }

        // A shard that sorts first changes what every later shard's duplicates depend on: those are redone.
        var earliest = Path.Combine(input, "shard-0000.parquet");
        File.Copy(late, earliest);
        var third = await Curation.Runner().RunAsync(new CurationRunRequest(input, output, Curation.Baseline(), Parallelism: 2), null, default);
        Assert.All(second.Shards, before => Assert.NotEqual(before.PlanHash, third.Shards.Single(s => s.Shard == before.Shard).PlanHash));
        var original = third.Shards.Single(s => s.Shard == "shard-00003.parquet");
        Assert.True(original.DocumentsOut < second.Shards.Single(s => s.Shard == "shard-00003.parquet").DocumentsOut / 4,
            "the copy placed first makes the original's documents duplicates");
    }

    [Fact]
    public async Task Shards_delivered_out_of_order_are_marked_in_plan_order_and_give_the_in_order_plan()
    {
        using var temp = new TempFolder();
        var input = temp.Sub("in");
        await new SyntheticCorpusGenerator().GenerateAsync(input, new SyntheticCorpusOptions(Shards: 4, DocumentsPerShard: 150, Seed: 5, RowGroupSize: 64), default);
        var options = Curation.Baseline().Deduplication!;
        var shards = Directory.GetFiles(input, "*.parquet").Order(StringComparer.Ordinal).ToList();
        var signatures = new List<ShardSignatures>();
        foreach (var shard in shards)
        {
            signatures.Add(await new SignatureBuilder(new()).BuildSignaturesAsync(shard, Path.Combine(temp.Path, Path.GetFileName(shard) + ".sig"), options, default));
        }

        var inOrder = new DuplicateMarker(options);
        foreach (var shard in signatures) inOrder.Add(shard);
        var expected = inOrder.ToPlan("h");

        var marked = new List<(int Shard, int[] Rows, string Hash)>();
        var marking = new InOrderMarking(new DuplicateMarker(options), [0, 1, 2, 3], (i, rows, hash) => marked.Add((i, rows, hash)));
        marking.Arrived(3, signatures[3]);
        marking.Arrived(1, signatures[1]);
        Assert.Empty(marked); // shard 0 decides what counts as first, so nothing can be marked before it
        marking.Arrived(0, signatures[0]);
        Assert.Equal([0, 1], marked.Select(m => m.Shard));
        Assert.False(marking.IsComplete);
        marking.Arrived(2, signatures[2]);
        Assert.True(marking.IsComplete);
        Assert.Equal([0, 1, 2, 3], marked.Select(m => m.Shard));
        // Each shard's hash covers its signatures and those before it: the in-order plan's, fingerprints included.
        Assert.Equal(signatures.Select(s => expected.ShardHashes[s.Shard]), marked.Select(m => m.Hash));
        foreach (var (shard, rows, _) in marked) Assert.Equal(expected.DuplicateRows[signatures[shard].Shard], rows);

        var plan = marking.Marker.ToPlan("h");
        Assert.True(expected.ExactDuplicates + expected.NearDuplicates > 5, "the corpus has duplicates to find");
        Assert.Equal(expected.ExactDuplicates, plan.ExactDuplicates);
        Assert.Equal(expected.NearDuplicates, plan.NearDuplicates);
        foreach (var (shard, rows) in expected.DuplicateRows) Assert.Equal(rows, plan.DuplicateRows[shard]);

        // From many threads at once, with a shard whose signatures failed: the same decisions, that shard left out.
        var withoutOne = new DuplicateMarker(options);
        foreach (var shard in signatures.Where((_, i) => i != 1)) withoutOne.Add(shard);
        var concurrentlyMarked = new List<(int Shard, int[] Rows, string Hash)>();
        var concurrent = new InOrderMarking(new DuplicateMarker(options), [0, 1, 2, 3], (i, rows, hash) => concurrentlyMarked.Add((i, rows, hash)));
        await Task.WhenAll(new[] { 2, 0, 3, 1 }.Select(i => Task.Run(() => concurrent.Arrived(i, i == 1 ? null : signatures[i]))));
        Assert.True(concurrent.IsComplete);
        Assert.Equal([0, 1, 2, 3], concurrentlyMarked.Select(m => m.Shard));
        Assert.Empty(concurrentlyMarked[1].Rows);
        Assert.Equal(concurrentlyMarked[0].Hash, concurrentlyMarked[1].Hash); // left out of what decides later shards
        var expectedWithoutOne = withoutOne.ToPlan("h");
        Assert.Equal(expectedWithoutOne.ShardHashes[signatures[3].Shard], concurrent.Marker.CurrentHash);
        foreach (var (shard, rows) in expectedWithoutOne.DuplicateRows) Assert.Equal(rows, concurrent.Marker.ToPlan("h").DuplicateRows[shard]);
        Assert.Throws<InvalidOperationException>(() => concurrent.Arrived(2, signatures[2]));
    }

    [Fact]
    public void An_index_sized_too_small_grows_and_keeps_the_first_document_of_every_bucket()
    {
        var options = new DeduplicationOptions();
        var small = new LshIndex(documentCount: 1, options.Bands);
        var sized = new LshIndex(documentCount: 5000, options.Bands);
        var random = new Random(4);
        var keys = new ulong[options.Bands];
        Span<int> fromSmall = stackalloc int[options.Bands];
        Span<int> fromSized = stackalloc int[options.Bands];
        for (var document = 0; document < 5000; document++)
        {
            // Few distinct keys per band, so buckets fill up and later documents find earlier heads.
            for (var b = 0; b < keys.Length; b++) keys[b] = ((ulong)random.Next(300) << 32) | (uint)b | 1;
            small.Find(keys, fromSmall);
            sized.Find(keys, fromSized);
            Assert.True(fromSized.SequenceEqual(fromSmall), $"document {document}");
            small.Add(keys, document);
            sized.Add(keys, document);
        }

        for (var b = 0; b < keys.Length; b++) keys[b] = (17UL << 32) | (uint)b | 1;
        small.Find(keys, fromSmall);
        Assert.All(fromSmall.ToArray(), head => Assert.InRange(head, 0, 4999));
    }
}
