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
