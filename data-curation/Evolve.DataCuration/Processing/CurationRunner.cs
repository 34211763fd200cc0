using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Deduplication;
using Evolve.DataCuration.Parquet;
using Microsoft.Extensions.Logging;

namespace Evolve.DataCuration.Processing;

/// <param name="InputDirectory">Folder with the input shards (never modified).</param>
/// <param name="OutputDirectory">Folder for curated shards, the manifest and the "_curation" work files.</param>
/// <param name="Parallelism">Shards processed at once.</param>
public sealed record CurationRunRequest(string InputDirectory, string OutputDirectory, ICleaningStrategy Strategy, int Parallelism = 2);

/// <summary>
/// The simple, non-durable driver: signature pass (if the strategy deduplicates) and duplicate plan, with each
/// shard curated as soon as its part of the plan is decided, all with bounded concurrency. Every step is restartable at shard granularity,
/// so running it again after a crash or cancellation finishes the job without redoing finished shards.
/// A durable DataCurationWorkflow replaces this class by calling the same three steps as activities, one after the other.
/// </summary>
public sealed class CurationRunner(ShardFormatOptions format, ShardCurator curator, TimeProvider time, ILogger<CurationRunner> logger)
{
    public async Task<CurationManifest> RunAsync(CurationRunRequest request, IProgress<CurationProgress>? progress, CancellationToken cancellationToken)
    {
        if (request.Parallelism < 1) throw new ArgumentOutOfRangeException(nameof(request), "Parallelism must be at least 1.");
        var shards = ListShards(request.InputDirectory);
        Directory.CreateDirectory(request.OutputDirectory);
        CurationLayout.RemoveLeftoverTempFiles(request.OutputDirectory);
        // One budget of threads for hashing and curating: hashing asks first, and a shard is curated as soon as its
        // duplicates are decided, so the end of the signature pass leaves no core idle.
        using var slots = new SemaphoreSlim(request.Parallelism);

        Task<DuplicatePlan>? planning = null;
        TaskCompletionSource<DuplicatePlan>[]? planned = null;
        if (request.Strategy.Deduplication is { } dedup)
        {
            planned = shards.Select(_ => new TaskCompletionSource<DuplicatePlan>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
            planning = PlanDuplicatesAsync(shards, request.OutputDirectory, dedup, slots, planned, cancellationToken);
        }

        var records = new ShardRecord?[shards.Count];
        var started = time.GetTimestamp();
        int done = 0, failed = 0;
        long documents = 0, bytesIn = 0, bytesSaved = 0;
        var gate = new object();
        var curation = Task.WhenAll(Enumerable.Range(0, shards.Count).Select(async i =>
        {
            var shardPlan = planned is null ? null : await planned[i].Task;
            ShardOutcome outcome;
            await slots.WaitAsync(cancellationToken);
            try
            {
                outcome = await curator.CurateAsync(shards[i], request.OutputDirectory, request.Strategy, shardPlan, cancellationToken);
            }
            finally
            {
                slots.Release();
            }

            records[i] = outcome.Record;
            CurationProgress report;
            lock (gate)
            {
                done++;
                if (!outcome.Record.IsOk) failed++;
                documents += outcome.Record.DocumentsIn;
                bytesIn += outcome.Record.BytesIn;
                bytesSaved += outcome.Record.BytesIn - outcome.Record.BytesOut;
                var elapsed = time.GetElapsedTime(started);
                var rate = elapsed.TotalSeconds > 0 ? documents / elapsed.TotalSeconds : 0;
                TimeSpan? eta = done > 0 ? elapsed / done * (shards.Count - done) : null;
                report = new CurationProgress(done, failed, shards.Count, documents, rate, bytesIn, bytesSaved, eta);
                progress?.Report(report); // under the lock, so reports arrive in order (shards done never goes back)
            }

            logger.LogInformation("Curation progress: {Progress}", report);
        }));

        await Task.WhenAll(planning ?? Task.CompletedTask, curation); // both finish before a failure surfaces: no shard is left writing
        var plan = planning?.Result;
        var manifest = new CurationManifest
        {
            StrategyName = request.Strategy.Name,
            StrategyHash = request.Strategy.Hash,
            PlanHash = plan?.Hash,
            ExactDuplicatesPlanned = plan?.ExactDuplicates ?? 0,
            NearDuplicatesPlanned = plan?.NearDuplicates ?? 0,
            Shards = records.Select(r => r!).ToList(),
        };
        await manifest.WriteAsync(request.OutputDirectory, cancellationToken);
        return manifest;
    }

    /// <summary>
    /// Deduplication passes one and two, overlapped: the plan takes each shard, in plan order, as soon as its signatures
    /// are ready, while later shards are still being hashed (a shard's duplicates depend only on earlier documents), and
    /// hands each shard its part of the plan at once (<paramref name="planned"/>). Shards whose signatures cannot be
    /// computed are left out (their curation fails anyway). The plan is the one <see cref="DuplicatePlanner"/> makes from
    /// the same signature files. If planning fails, so does every shard still waiting for its part.
    /// </summary>
    private async Task<DuplicatePlan> PlanDuplicatesAsync(IReadOnlyList<string> shards, string outputDirectory, DeduplicationOptions dedup,
        SemaphoreSlim slots, TaskCompletionSource<DuplicatePlan>[] planned, CancellationToken cancellationToken)
    {
        try
        {
            var builder = new SignatureBuilder(format);
            var paths = shards.Select(shard => CurationLayout.SignaturePath(outputDirectory, Path.GetFileName(shard))).ToList();
            var order = DuplicatePlanner.InPlanOrder(Enumerable.Range(0, shards.Count), i => paths[i]).ToList();
            var marking = new InOrderMarking(new DuplicateMarker(dedup), order,
                (i, rows, hash) => planned[i].TrySetResult(DuplicatePlan.ForShard(Path.GetFileName(shards[i]), rows, hash)));
            await Task.WhenAll(order.Select(async i =>
            {
                await slots.WaitAsync(cancellationToken);
                try
                {
                    ShardSignatures? signatures = null;
                    try
                    {
                        signatures = await builder.BuildSignaturesAsync(shards[i], paths[i], dedup, cancellationToken);
                    }
                    catch (InvalidShardException e)
                    {
                        logger.LogWarning("No signatures for {Shard}: {Error}", Path.GetFileName(shards[i]), e.Message);
                    }

                    marking.Arrived(i, signatures);
                }
                finally
                {
                    slots.Release();
                }
            }));

            if (!marking.IsComplete) throw new InvalidOperationException("The signature pass ended before every shard was planned.");
            var plan = marking.Marker.ToPlan(marking.Marker.CurrentHash); // the hash of every shard marked, in plan order
            await plan.WriteAsync(CurationLayout.PlanPath(outputDirectory), cancellationToken);
            logger.LogInformation("Duplicate plan {Hash}: {Exact} exact and {Near} near duplicates", plan.Hash, plan.ExactDuplicates, plan.NearDuplicates);
            return plan;
        }
        catch (Exception e)
        {
            foreach (var shard in planned) shard.TrySetException(e);
            throw;
        }
    }

    public IReadOnlyList<string> ListShards(string inputDirectory) => CurationLayout.ListShards(inputDirectory, format);
}
