using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Processing;
using Evolve.DataCuration.Synthetic;
using Evolve.Durable.Tests.Processes;
using Xunit.Abstractions;
using Evolve.Core.IO;

namespace Evolve.DataCuration.Tests.Durable;

public sealed class CurateCrashTests(ITestOutputHelper log)
{
    private const int Shards = 6;

    [Fact]
    public async Task Killed_curate_command_resumes_without_losing_or_redoing_shards_and_matches_an_uninterrupted_run()
    {
        using var temp = new TempFolder();
        var input = temp.Sub("in");
        var output = Path.Combine(temp.Path, "out");
        await new SyntheticCorpusGenerator().GenerateAsync(input, new SyntheticCorpusOptions(Shards, DocumentsPerShard: 2000, Seed: 11, RowGroupSize: 500), default);
        string[] command = ["data", "curate", "--input", input, "--output", output, "--parallel", "1"];
        var records = new ShardRecordStore(output);

        // First run: SIGKILL as soon as one shard is finished (its manifest entry exists).
        Dictionary<string, string> finishedBeforeKill;
        await using (var first = EvolveProcess.Start(command))
        {
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (FinishedEntries(records).Count == 0)
            {
                Assert.False(first.HasExited, $"evolve exited before any shard finished:\n{first.Output}");
                Assert.True(DateTime.UtcNow < deadline, $"no shard finished in time:\n{first.Output}");
                await Task.Delay(50);
            }

            await first.KillAsync();
            finishedBeforeKill = FinishedEntries(records);
            log.WriteLine($"killed after {finishedBeforeKill.Count} shard(s):\n{first.Output}");
        }

        Assert.InRange(finishedBeforeKill.Count, 1, Shards - 1);
        Assert.False(File.Exists(Path.Combine(output, CurationManifest.FileName)));

        // Same command again: resumes the same instance and completes.
        await using (var second = EvolveProcess.Start(command))
        {
            var exit = await second.WaitForExitAsync(TimeSpan.FromSeconds(180));
            log.WriteLine(second.Output);
            Assert.True(exit == 0, $"resumed run exited {exit}:\n{second.Output}");
            Assert.Contains($"completed: {Shards}/{Shards} shards ok, 0 failed", second.Output);
        }

        // No shard lost; the shards finished before the kill were not processed again (entries untouched).
        var manifest = CurationManifest.Read(output);
        Assert.Equal(Shards, manifest.ShardsOk);
        var after = FinishedEntries(records);
        foreach (var (shard, entry) in finishedBeforeKill) Assert.Equal(entry, after[shard]);

        // Byte-identical to an uninterrupted run into another folder.
        var reference = Path.Combine(temp.Path, "reference");
        await Curation.Runner().RunAsync(new CurationRunRequest(input, reference, Curation.Baseline(), Parallelism: 2), null, default);
        var outputs = Directory.GetFiles(output, "*.parquet").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(Directory.GetFiles(reference, "*.parquet").Select(Path.GetFileName).Order(), outputs);
        Assert.Equal(Shards, outputs.Count);
        foreach (var name in outputs)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(output, name!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(reference, name!))),
                $"{name} differs from the uninterrupted run");
        }

        Assert.Empty(Directory.GetFiles(output, "*" + AtomicFile.TempSuffix, SearchOption.AllDirectories));

        // The same command after completion starts afresh and reuses every finished shard.
        await using var third = EvolveProcess.Start(command);
        Assert.Equal(0, await third.WaitForExitAsync(TimeSpan.FromSeconds(120)));
        Assert.Contains("already ended Completed; starting it again", third.Output);
        Assert.Contains($"completed: {Shards}/{Shards} shards ok, 0 failed ({Shards} already finished on disk)", third.Output);
        foreach (var (shard, entry) in after) Assert.Equal(entry, FinishedEntries(records)[shard]);
    }

    private static Dictionary<string, string> FinishedEntries(ShardRecordStore records) =>
        Directory.Exists(records.Folder)
            ? Directory.GetFiles(records.Folder, "*.json").ToDictionary(path => Path.GetFileName(path), File.ReadAllText)
            : [];
}
