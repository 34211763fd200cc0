using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Cleaning.Operations;
using Evolve.DataCuration.Synthetic;
using Xunit.Abstractions;

namespace Evolve.DataCuration.Tests;

[CollectionDefinition(nameof(MemoryCollection), DisableParallelization = true)]
public sealed class MemoryCollection;

[Collection(nameof(MemoryCollection))]
public sealed class MemoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Managed_memory_stays_far_below_the_size_of_a_shard_with_many_row_groups()
    {
        using var temp = new TempFolder();
        var input = temp.Sub("in");
        var shard = (await new SyntheticCorpusGenerator().GenerateAsync(input, new SyntheticCorpusOptions(1, 12_000, Seed: 2, RowGroupSize: 400), default))[0];
        var strategy = new CleaningPipeline("no-dedup")
            .Add(new DetectTechnicalDomain()).Add(new RepairEncoding()).Add(new StripMarkup()).Add(new NormalizeUnicode())
            .Add(new RemoveBoilerplate()).Add(new MaskPii()).Add(new FilterLines()).Add(new NormalizeWhitespace()).Add(new FilterDocuments());

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                // Live memory (after a full collection): what processing holds, not garbage the GC has yet to reclaim.
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
                await Task.Delay(50);
            }
        });
        var outcome = await Curation.Curator().CurateAsync(shard, temp.Sub("out"), strategy, null, default);
        await stop.CancelAsync();
        await sampler;

        Assert.True(outcome.Record.IsOk, outcome.Record.Error);
        Assert.Equal(30, outcome.Record.RowGroups);
        var textBytesInMemory = outcome.Record.BytesIn * 2; // .NET strings are UTF-16
        var growth = peak - baseline;
        output.WriteLine($"text {outcome.Record.BytesIn / 1e6:F1} MB (UTF-16 {textBytesInMemory / 1e6:F1} MB), peak live managed growth {growth / 1e6:F1} MB");
        Assert.True(growth < textBytesInMemory / 3, $"peak live managed growth {growth / 1e6:F1} MB vs shard text {textBytesInMemory / 1e6:F1} MB");
    }
}
