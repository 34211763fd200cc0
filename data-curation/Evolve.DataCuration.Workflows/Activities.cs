using Evolve.DataCuration.Deduplication;
using Evolve.DataCuration.Processing;
using Evolve.DataCuration.Strategies;
using Evolve.Durable;
using Microsoft.Extensions.Logging;

namespace Evolve.DataCuration.Workflows;

/// <summary>Checks the strategy, lists the input shards and clears temp files a crash left in the output.</summary>
public sealed class ListShardsActivity : WorkflowActivity<ListShardsInput, ShardListing>
{
    public override Task<ShardListing> RunAsync(WorkflowActivityContext context, ListShardsInput input)
    {
        var strategy = StrategyCache.Shared.Get(input.Strategy, context.CancellationToken);
        var shards = CurationLayout.ListShards(Path.GetFullPath(input.InputDirectory), input.Format.ToOptions());
        Directory.CreateDirectory(input.OutputDirectory);
        CurationLayout.RemoveLeftoverTempFiles(input.OutputDirectory);
        return Task.FromResult(new ShardListing(shards, strategy.Name, strategy.Hash, strategy.Deduplication is not null));
    }
}

/// <summary>
/// Deduplication pass one for one shard. Idempotent: signatures whose parameters and input fingerprint
/// match are reused. An unreadable shard yields no signatures and an error instead of failing the run.
/// </summary>
public sealed class ShardSignatureActivity(ILogger<ShardSignatureActivity> logger) : WorkflowActivity<ShardSignatureInput, ShardSignatureResult>
{
    public override async Task<ShardSignatureResult> RunAsync(WorkflowActivityContext context, ShardSignatureInput input)
    {
        var shard = Path.GetFileName(input.ShardPath);
        var dedup = StrategyCache.Shared.Get(input.Strategy, context.CancellationToken).Deduplication
                    ?? throw new InvalidOperationException($"Strategy '{input.Strategy.Path}' does not deduplicate; it needs no signatures.");
        try
        {
            var path = await new SignatureBuilder(input.Format.ToOptions())
                .BuildAsync(input.ShardPath, CurationLayout.SignaturePath(input.OutputDirectory, shard), dedup, context.CancellationToken);
            return new ShardSignatureResult(shard, path, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The shard's curation reads the same file and records the failure with its error.
            logger.LogWarning("No signatures for {Shard}: {Error}", shard, e.Message);
            return new ShardSignatureResult(shard, null, e.Message);
        }
    }
}

/// <summary>Deduplication pass two: the run's plan, a pure function of the signature files (rebuilt identically after a crash).</summary>
public sealed class DuplicatePlanActivity : WorkflowActivity<DuplicatePlanInput, DuplicatePlanSummary>
{
    public override async Task<DuplicatePlanSummary> RunAsync(WorkflowActivityContext context, DuplicatePlanInput input)
    {
        var dedup = StrategyCache.Shared.Get(input.Strategy, context.CancellationToken).Deduplication
                    ?? throw new InvalidOperationException($"Strategy '{input.Strategy.Path}' does not deduplicate; it needs no plan.");
        var plan = await new DuplicatePlanner().PlanAsync(input.SignatureFiles, dedup, CurationLayout.PlanPath(input.OutputDirectory), context.CancellationToken);
        return new DuplicatePlanSummary(plan.Hash, plan.ExactDuplicates, plan.NearDuplicates);
    }
}

/// <summary>
/// Curates one shard. Idempotent: <see cref="ShardCurator"/> returns a finished shard as is and writes
/// outputs by temp file and rename, so a retry or a re-run after a crash never redoes or half-writes a shard.
/// </summary>
public sealed class ShardCurationActivity(TimeProvider time, ILoggerFactory loggers) : WorkflowActivity<ShardCurationInput, ShardCurationResult>
{
    public override async Task<ShardCurationResult> RunAsync(WorkflowActivityContext context, ShardCurationInput input)
    {
        var strategy = StrategyCache.Shared.Get(input.Strategy, context.CancellationToken);
        DuplicatePlan? plan = null;
        if (input.PlanHash is { } expected)
        {
            var path = CurationLayout.PlanPath(input.OutputDirectory);
            plan = DuplicatePlan.TryRead(path);
            if (plan?.Hash != expected)
            {
                throw new InvalidOperationException(
                    $"The duplicate plan '{path}' is missing or is not plan {expected} this run made (found {plan?.Hash ?? "none"}); " +
                    "was the output folder changed during the run? Delete it and curate again.");
            }
        }

        var curator = new ShardCurator(input.Format.ToOptions(), time, loggers.CreateLogger<ShardCurator>());
        var outcome = await curator.CurateAsync(input.ShardPath, input.OutputDirectory, strategy, plan, context.CancellationToken);
        var r = outcome.Record;
        return new ShardCurationResult(r.Shard, r.Status, r.Error, r.DocumentsIn, r.DocumentsOut, r.BytesIn, r.BytesOut, r.DurationSeconds, outcome.Reused);
    }
}

/// <summary>Writes manifest.json from the per-shard entries the curation activities wrote (idempotent: a rewrite gives the same content).</summary>
public sealed class CurationManifestActivity : WorkflowActivity<CurationManifestInput, CurationManifestSummary>
{
    public override async Task<CurationManifestSummary> RunAsync(WorkflowActivityContext context, CurationManifestInput input)
    {
        var strategy = StrategyCache.Shared.Get(input.Strategy, context.CancellationToken);
        var store = new ShardRecordStore(input.OutputDirectory);
        var records = input.Shards.Select(shard => store.TryRead(shard)
            ?? throw new InvalidOperationException($"Shard '{shard}' has no manifest entry at '{store.PathFor(shard)}', though its curation finished."))
            .ToList();
        var manifest = new CurationManifest
        {
            StrategyName = strategy.Name,
            StrategyHash = strategy.Hash,
            PlanHash = input.Plan?.Hash,
            ExactDuplicatesPlanned = input.Plan?.ExactDuplicates ?? 0,
            NearDuplicatesPlanned = input.Plan?.NearDuplicates ?? 0,
            Shards = records,
        };
        await manifest.WriteAsync(input.OutputDirectory, context.CancellationToken);
        return new CurationManifestSummary(Path.Combine(input.OutputDirectory, CurationManifest.FileName), manifest.ShardsOk, manifest.ShardsFailed,
            manifest.DocumentsIn, manifest.DocumentsOut, manifest.BytesIn, manifest.BytesOut,
            records.Where(s => !s.IsOk).Select(s => new FailedShard(s.Shard, s.Error ?? "unknown error")).ToList());
    }
}
