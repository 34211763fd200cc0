using Evolve.DataCuration.Deduplication;
using Evolve.DataCuration.Processing;
using Evolve.DataCuration.Strategies;
using Evolve.DataCuration.Synthetic;
using Evolve.DataCuration.Workflows;
using Evolve.Durable.Client;
using Parquet;

namespace Evolve.DataCuration.Tests.Durable;

public sealed class DataCurationWorkflowTests
{
    [Fact]
    public async Task Workflow_curates_every_shard_and_fails_only_the_corrupt_one_with_a_clear_error()
    {
        using var temp = new TempFolder();
        var input = temp.Sub("in");
        var output = Path.Combine(temp.Path, "out");
        await new SyntheticCorpusGenerator().GenerateAsync(input, new SyntheticCorpusOptions(Shards: 3, DocumentsPerShard: 150, Seed: 3, RowGroupSize: 50), default);
        await File.WriteAllTextAsync(Path.Combine(input, "shard-broken.parquet"), "not parquet at all");
        await using var host = await CurationWorkflowHost.StartAsync(temp.Sub("state"));

        var strategy = await StrategyReference.PersistAsync(StrategySource.Builtin(), output, default);
        var state = await host.RunAsync("curate-test", new DataCurationInput(input, output, strategy, Parallelism: 2));

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        var result = state.ReadOutputAs<DataCurationResult>()!;
        Assert.Equal((4, 3, 1), (result.ShardsTotal, result.ShardsOk, result.ShardsFailed));
        var failed = Assert.Single(result.Failed);
        Assert.Equal("shard-broken.parquet", failed.Shard);
        Assert.Contains("not a readable Parquet file", failed.Error);
        Assert.False(File.Exists(Path.Combine(output, "shard-broken.parquet")));
        Assert.NotNull(result.PlanHash);
        Assert.True(result.ExactDuplicatesPlanned + result.NearDuplicatesPlanned > 0, "generated shards contain duplicates");

        var manifest = CurationManifest.Read(output);
        Assert.Equal(result.DocumentsOut, manifest.DocumentsOut);
        Assert.Equal(450, manifest.DocumentsIn);
        Assert.Equal(StrategySource.Builtin().Hash, manifest.StrategyHash);
        Assert.Equal("baseline", manifest.StrategyName);
        Assert.Equal(result.PlanHash, manifest.PlanHash);
        var plan = DuplicatePlan.TryRead(CurationLayout.PlanPath(output))!;
        Assert.Equal(result.PlanHash, plan.Hash);
        Assert.Equal(plan.Hash, plan.ShardHashes[manifest.Shards.Where(s => s.IsOk).Max(s => s.Shard)!]); // the last shard's prefix is the whole plan
        foreach (var shard in manifest.Shards.Where(s => s.IsOk))
        {
            await using var reader = await ParquetReader.CreateAsync(Path.Combine(output, shard.Shard));
            long rows = 0;
            for (var g = 0; g < reader.RowGroupCount; g++) rows += reader.OpenRowGroupReader(g).RowCount;
            Assert.Equal(shard.DocumentsOut, rows);
            Assert.Equal(plan.HashFor(shard.Shard), shard.PlanHash);
        }

        var status = state.ReadCustomStatusAs<DataCurationStatus>()!;
        Assert.Equal(("completed", 4, 1, 4), (status.Phase, status.ShardsDone, status.ShardsFailed, status.ShardsTotal));
        Assert.Equal(manifest.BytesIn - manifest.BytesOut, status.BytesSaved);
    }

    [Fact]
    public async Task A_strategy_that_does_not_compile_fails_the_run_with_the_compiler_error_and_touches_no_shard()
    {
        using var temp = new TempFolder();
        var input = temp.Sub("in");
        var output = Path.Combine(temp.Path, "out");
        await new SyntheticCorpusGenerator().GenerateAsync(input, new SyntheticCorpusOptions(Shards: 1, DocumentsPerShard: 10), default);
        await using var host = await CurationWorkflowHost.StartAsync(temp.Sub("state"));
        var strategy = await StrategyReference.PersistAsync(new StrategySource("public static class Strategy { public static int Build() => nope; }", "bad.cs"), output, default);

        var state = await host.RunAsync("curate-bad-strategy", new DataCurationInput(input, output, strategy));

        Assert.Equal(WorkflowRuntimeStatus.Failed, state.RuntimeStatus);
        Assert.Contains("does not compile", state.FailureDetails!.ErrorMessage);
        Assert.Contains("'nope'", state.FailureDetails.ErrorMessage);
        Assert.Empty(Directory.GetFiles(output, "*.parquet"));
    }

    [Fact]
    public async Task A_strategy_file_changed_under_the_run_is_refused_by_hash()
    {
        using var temp = new TempFolder();
        var input = temp.Sub("in");
        var output = Path.Combine(temp.Path, "out");
        await new SyntheticCorpusGenerator().GenerateAsync(input, new SyntheticCorpusOptions(Shards: 1, DocumentsPerShard: 10), default);
        await using var host = await CurationWorkflowHost.StartAsync(temp.Sub("state"));
        // A source of its own: a strategy this process already compiled is used from memory, never re-read.
        var strategy = await StrategyReference.PersistAsync(new StrategySource(StrategySource.Builtin().Text + "// hash test\n", "variant.cs"), output, default);
        await File.AppendAllTextAsync(strategy.Path, "// edited\n");

        var state = await host.RunAsync("curate-changed-strategy", new DataCurationInput(input, output, strategy));

        Assert.Equal(WorkflowRuntimeStatus.Failed, state.RuntimeStatus);
        Assert.Contains($"the run started with {strategy.Hash}", state.FailureDetails!.ErrorMessage);
    }
}
