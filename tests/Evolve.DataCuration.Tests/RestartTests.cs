using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Processing;
using Evolve.DataCuration.Synthetic;

namespace Evolve.DataCuration.Tests;

/// <summary>Generated input and an uninterrupted reference run, shared by the restart tests.</summary>
public sealed class RestartFixture : IAsyncLifetime
{
    public TempFolder Temp { get; } = new();

    public string Input { get; private set; } = "";

    public string Reference { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Input = Temp.Sub("in");
        Reference = Temp.Sub("reference");
        await new SyntheticCorpusGenerator().GenerateAsync(Input, new SyntheticCorpusOptions(6, 120, Seed: 11, RowGroupSize: 40), default);
        var manifest = await Curation.Runner().RunAsync(new CurationRunRequest(Input, Reference, Curation.Baseline(), Parallelism: 2), null, default);
        Assert.Equal(6, manifest.ShardsOk);
    }

    public Task DisposeAsync()
    {
        Temp.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class RestartTests(RestartFixture fixture) : IClassFixture<RestartFixture>
{
    private readonly TempFolder temp = fixture.Temp;
    private readonly string input = fixture.Input;
    private readonly string reference = fixture.Reference;

    [Fact]
    public async Task Cancelled_run_resumes_without_redoing_or_losing_shards_and_matches_an_uninterrupted_run()
    {
        var outDir = temp.Sub("interrupted");
        using var cancel = new CancellationTokenSource();
        var progress = new InlineProgress<CurationProgress>(p =>
        {
            if (p.ShardsDone == 2) cancel.Cancel();
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Curation.Runner().RunAsync(new CurationRunRequest(input, outDir, Curation.Baseline(), Parallelism: 1), progress, cancel.Token));

        var store = new ShardRecordStore(outDir);
        var finished = Directory.GetFiles(input, "*.parquet").Select(Path.GetFileName).OfType<string>()
            .Select(s => store.TryRead(s)).OfType<ShardRecord>().ToDictionary(r => r.Shard);
        Assert.Equal(2, finished.Count);
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp"));

        var resumed = await Curation.Runner().RunAsync(new CurationRunRequest(input, outDir, Curation.Baseline(), Parallelism: 1), null, default);
        Assert.Equal(6, resumed.ShardsOk);
        foreach (var (shard, before) in finished)
        {
            Assert.Equal(before.CompletedAt, store.TryRead(shard)!.CompletedAt); // reused, not redone
        }

        AssertSameOutputs(reference, outDir);
    }

    [Fact]
    public async Task Leftover_temp_file_and_missing_manifest_entry_are_redone_and_the_rest_reused()
    {
        var outDir = temp.Sub("crashed");
        await Curation.Runner().RunAsync(new CurationRunRequest(input, outDir, Curation.Baseline()), null, default);
        var store = new ShardRecordStore(outDir);
        var untouched = store.TryRead("shard-00000.parquet")!;

        // Crash while writing shard 3: half a temp file, no output, no entry.
        File.Delete(Path.Combine(outDir, "shard-00003.parquet"));
        File.Delete(store.PathFor("shard-00003.parquet"));
        await File.WriteAllTextAsync(Path.Combine(outDir, "shard-00003.parquet.tmp"), "PAR1 half written");
        // Crash between renaming shard 4's output and writing its entry.
        File.Delete(store.PathFor("shard-00004.parquet"));

        var curator = Curation.Curator();
        var plan = Deduplication.DuplicatePlan.TryRead(Path.Combine(outDir, ShardRecordStore.WorkFolder, "dedup-plan.json"));
        var again = await curator.CurateAsync(Path.Combine(input, "shard-00000.parquet"), outDir, Curation.Baseline(), plan, default);
        Assert.True(again.Reused);

        var resumed = await Curation.Runner().RunAsync(new CurationRunRequest(input, outDir, Curation.Baseline()), null, default);
        Assert.Equal(6, resumed.ShardsOk);
        Assert.Equal(untouched.CompletedAt, store.TryRead("shard-00000.parquet")!.CompletedAt);
        Assert.NotNull(store.TryRead("shard-00004.parquet"));
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp", SearchOption.AllDirectories));
        AssertSameOutputs(reference, outDir);
    }

    [Fact]
    public async Task A_different_strategy_redoes_finished_shards()
    {
        var outDir = temp.Sub("restrategy");
        var first = await Curation.Runner().RunAsync(new CurationRunRequest(input, outDir, new CleaningPipeline("none")), null, default);
        Assert.Equal(first.DocumentsIn, first.DocumentsOut);
        var second = await Curation.Runner().RunAsync(new CurationRunRequest(input, outDir, Curation.Baseline()), null, default);
        Assert.True(second.DocumentsOut < first.DocumentsOut);
        AssertSameOutputs(reference, outDir);
    }

    private static void AssertSameOutputs(string expectedDirectory, string actualDirectory)
    {
        var expected = Directory.GetFiles(expectedDirectory, "*.parquet").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(expected, Directory.GetFiles(actualDirectory, "*.parquet").Select(Path.GetFileName).Order().ToList());
        foreach (var name in expected)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(expectedDirectory, name!)).AsSpan()
                .SequenceEqual(File.ReadAllBytes(Path.Combine(actualDirectory, name!))), $"{name} differs from the uninterrupted run");
        }
    }
}
