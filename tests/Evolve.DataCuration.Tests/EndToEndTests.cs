using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Evaluation;
using Evolve.DataCuration.Processing;
using Evolve.DataCuration.Synthetic;
using Parquet;
using Xunit.Abstractions;

namespace Evolve.DataCuration.Tests;

public sealed class EndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Baseline_on_generated_shards_removes_most_noise_and_keeps_most_content()
    {
        using var temp = new TempFolder();
        var input = temp.Sub("in");
        var outDir = temp.Sub("out");
        await new SyntheticCorpusGenerator().GenerateAsync(input, new SyntheticCorpusOptions(Shards: 4, DocumentsPerShard: 250, Seed: 7, RowGroupSize: 100), default);

        var progress = new List<CurationProgress>();
        var manifest = await Curation.Runner().RunAsync(
            new CurationRunRequest(input, outDir, Curation.Baseline(), Parallelism: 2), new InlineProgress<CurationProgress>(Add), default);

        Assert.Equal(4, manifest.ShardsOk);
        Assert.Equal(1000, manifest.DocumentsIn);
        Assert.Equal(4, progress.Count);
        // Two shards finish on two threads: their reports may arrive in either order.
        Assert.Equal([1, 2, 3, 4], progress.Select(p => p.ShardsDone).Order());

        void Add(CurationProgress report)
        {
            lock (progress) progress.Add(report); // the runner reports from its worker threads
        }

        // Every output shard is readable, and its row count is what the manifest says.
        foreach (var shard in manifest.Shards)
        {
            await using var reader = await ParquetReader.CreateAsync(Path.Combine(outDir, shard.Shard));
            long rows = 0;
            for (var g = 0; g < reader.RowGroupCount; g++) rows += reader.OpenRowGroupReader(g).RowCount;
            Assert.Equal(shard.DocumentsOut, rows);
            Assert.Equal(SyntheticCorpusGenerator.Columns, reader.Schema.DataFields.Select(f => f.Name));
            var removed = shard.Operations.Sum(o => o.Removals);
            Assert.Equal(shard.DocumentsIn - shard.NullTextDropped - shard.InvalidTextDropped - removed, shard.DocumentsOut);
        }

        foreach (var op in manifest.Operations) output.WriteLine($"{op.Operation}: removals={op.Removals} edits={op.Edits}");
        output.WriteLine($"planned exact={manifest.ExactDuplicatesPlanned} near={manifest.NearDuplicatesPlanned}");
        var reread = CurationManifest.Read(outDir);
        Assert.Equal(manifest.DocumentsOut, reread.DocumentsOut);
        Assert.True(manifest.BytesOut < manifest.BytesIn);

        var metrics = await new CurationEvaluator(Curation.Format()).EvaluateAsync(input, outDir, TimeSpan.FromSeconds(1), default);
        foreach (var (name, value) in metrics.OrderBy(m => m.Key)) output.WriteLine($"{name} = {value:F3}");
        Assert.True(metrics["content_recall"] > 0.9, "content recall");
        Assert.True(metrics["content_precision"] > 0.9, "content precision");
        Assert.True(metrics["noise_removed"] > 0.85, "noise removed");
        Assert.True(metrics["pii_leaked"] < 0.05, "pii leaked");
        Assert.True(metrics["duplicates_removed"] > 0.9, "duplicates removed");
        Assert.True(metrics["content_docs_kept"] > 0.95, "content documents kept");
    }
}
