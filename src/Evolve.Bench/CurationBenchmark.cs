using System.Diagnostics;
using System.Globalization;
using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Parquet;
using Evolve.DataCuration.Processing;
using Evolve.DataCuration.Strategies;
using Evolve.DataCuration.Synthetic;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evolve.Bench;

/// <summary>
/// Data curation throughput on generated Nemotron-CC-like shards (≥ 200 MB of text, generation not
/// timed): a raw pass that reads every row group and writes it back unchanged, then the baseline
/// strategy (deduplication passes included). MB are UTF-8 megabytes of input text. Both are measured
/// warm, as a curation job over thousands of shards runs: a cold run of the baseline spent about a fifth of
/// its time compiling (JIT), which a real job pays once in its first seconds. Five rounds, medians reported; the ratio is the
/// median of the rounds' own ratios, since a round's two passes run back to back on a machine whose speed drifts.
/// </summary>
public sealed class CurationBenchmark : IBenchmark
{
    public string Name => "curation";

    public int Order => 50;

    private const int Repetitions = 5;
    private const int MaxWarmupRounds = 30;

    public async Task<string> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var shards = int.Parse(Environment.GetEnvironmentVariable("EVOLVE_BENCH_CURATION_SHARDS") ?? "8", CultureInfo.InvariantCulture);
        var docs = int.Parse(Environment.GetEnvironmentVariable("EVOLVE_BENCH_CURATION_DOCS") ?? "11500", CultureInfo.InvariantCulture);
        var parallelism = Math.Max(1, Environment.ProcessorCount);
        var input = Path.Combine(context.WorkDirectory, "input");
        var generation = Stopwatch.StartNew();
        await new SyntheticCorpusGenerator().GenerateAsync(input, new SyntheticCorpusOptions(shards, docs, Seed: 42, RowGroupSize: 2000), cancellationToken);
        context.Log.WriteLine($"generated {shards} shards x {docs} docs in {generation.Elapsed.TotalSeconds:F1} s");

        var format = new ShardFormatOptions();
        var runner = new CurationRunner(format, new ShardCurator(format, TimeProvider.System, NullLogger<ShardCurator>.Instance),
            TimeProvider.System, NullLogger<CurationRunner>.Instance);

        // The shipped baseline strategy file, compiled like any strategy (before the clock starts).
        using var baseline = new StrategyCompiler().Compile(StrategySource.Builtin(), cancellationToken);

        // Warm-up (see WarmUp) on a small corpus of its own, both pipelines alike, until the hot paths run tier-1 code.
        var warmup = Path.Combine(context.WorkDirectory, "warmup");
        await new SyntheticCorpusGenerator().GenerateAsync(Path.Combine(warmup, "input"), new SyntheticCorpusOptions(8, 1000, Seed: 7, RowGroupSize: 250), cancellationToken);
        var warmupRounds = await WarmUp.UntilJitIsQuietAsync(async round =>
        {
            foreach (var strategy in new ICleaningStrategy[] { new CleaningPipeline("raw"), baseline })
            {
                var output = Path.Combine(warmup, $"{strategy.Name}-{round}");
                await runner.RunAsync(new CurationRunRequest(Path.Combine(warmup, "input"), output, strategy, parallelism), null, cancellationToken);
                Directory.Delete(output, recursive: true);
            }
        }, MaxWarmupRounds, cancellationToken);
        context.Log.WriteLine(FormattableString.Invariant(
            $"warm-up: {warmupRounds} rounds, until two in a row JIT-compiled for less than {WarmUp.QuietJit.TotalMilliseconds:F0} ms"));

        // Peak RSS of the measured passes alone: `make bench` runs every benchmark in this one process, and the peak
        // the kernel keeps would otherwise include the benchmarks before this one and the corpus generation.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var peakIsOurs = ResetPeakRss();

        // Five rounds of both passes, interleaved, and the median of each: a single round moved by a third with the
        // state of this shared machine.
        var rawTimes = new List<double>();
        var curateTimes = new List<double>();
        var ratios = new List<double>();
        CurationManifest? raw = null, curated = null;
        for (var round = 0; round < Repetitions; round++)
        {
            var rawOutput = Path.Combine(context.WorkDirectory, $"raw-{round}");
            (raw, var rawSeconds) = await TimeAsync(runner, new CurationRunRequest(input, rawOutput, new CleaningPipeline("raw"), parallelism), cancellationToken);
            rawTimes.Add(rawSeconds);
            var curatedOutput = Path.Combine(context.WorkDirectory, $"baseline-{round}");
            (curated, var curateSeconds) = await TimeAsync(runner, new CurationRunRequest(input, curatedOutput, baseline, parallelism), cancellationToken);
            curateTimes.Add(curateSeconds);
            ratios.Add(rawSeconds / curateSeconds);
            context.Log.WriteLine(FormattableString.Invariant(
                $"round {round + 1}: raw pass {rawSeconds:F2} s, baseline {curateSeconds:F2} s ({curated.DocumentsOut}/{curated.DocumentsIn} docs kept, {curated.BytesOut / 1e6:F1} MB out)"));
            Directory.Delete(rawOutput, recursive: true);
            Directory.Delete(curatedOutput, recursive: true);
        }

        foreach (var op in curated!.Operations) context.Log.WriteLine($"  {op.Operation}: removals={op.Removals} edits={op.Edits}");
        var textMb = raw!.BytesIn / 1e6;
        var rawRate = textMb / BenchStatistics.Median(rawTimes);
        var curateRate = textMb / BenchStatistics.Median(curateTimes);
        var peakRss = Process.GetCurrentProcess().PeakWorkingSet64 / 1e6;
        if (!peakIsOurs) context.Log.WriteLine("peak RSS could not be reset (no /proc/self/clear_refs): it covers the whole process");
        return string.Create(CultureInfo.InvariantCulture,
            $"bench curation: raw_mb_per_s={rawRate:F1} curate_mb_per_s={curateRate:F1} ratio={BenchStatistics.Median(ratios):F2} docs_per_s={curated.DocumentsIn / BenchStatistics.Median(curateTimes):F0} peak_rss_mb={peakRss:F0}");
    }

    /// <summary>Linux resets the process's peak resident set size (VmHWM) when "5" is written to /proc/self/clear_refs.</summary>
    private static bool ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static async Task<(CurationManifest Manifest, double Seconds)> TimeAsync(CurationRunner runner, CurationRunRequest request, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (allocated, paused) = (GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration());
        var collections = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
        var jit = JitWork.Start();
        var manifest = await runner.RunAsync(request, null, cancellationToken);
        // CPU time too: on a shared, loaded machine wall-clock rates say more about the neighbours.
        Console.Error.WriteLine($"{request.Strategy.Name}: {watch.Elapsed.TotalSeconds:F2} s wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F2} s CPU, " +
            $"{(GC.GetTotalAllocatedBytes() - allocated) / 1e9:F2} GB allocated, {(GC.GetTotalPauseDuration() - paused).TotalSeconds:F2} s GC pauses " +
            $"({GC.CollectionCount(0) - collections[0]} collections, {GC.CollectionCount(1) - collections[1]} of them of generation 1 or 2), " +
            $"{jit.Methods} methods JIT-compiled in {jit.Elapsed.TotalSeconds:F2} s");
        if (manifest.ShardsFailed > 0) throw new InvalidOperationException($"{manifest.ShardsFailed} shards failed: {manifest.Shards.First(s => !s.IsOk).Error}");
        return (manifest, watch.Elapsed.TotalSeconds);
    }
}
