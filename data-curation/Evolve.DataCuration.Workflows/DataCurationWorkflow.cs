using Evolve.Durable;

namespace Evolve.DataCuration.Workflows;

/// <summary>
/// The durable curation run: list shards, signatures per shard (if the strategy deduplicates), the
/// duplicate plan, one curation activity per shard, then the manifest. Shard activities run in a sliding
/// window of <see cref="DataCurationInput.Parallelism"/>. A crash resumes at shard granularity: completed
/// activities are replayed from history, and the one in flight re-runs safely (every activity is idempotent).
/// Deterministic code only: time comes from <see cref="WorkflowContext.CurrentUtcDateTime"/>.
/// </summary>
public sealed class DataCurationWorkflow : Workflow<DataCurationInput, DataCurationResult>
{
    // Bad input (a strategy that does not compile or build, a missing input folder) fails the same way every time: no point retrying it.
    private static readonly WorkflowTaskOptions Retry = new(new WorkflowRetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2.0,
        handle: failure => !failure.IsCausedBy<ArgumentException>() && !failure.IsCausedBy<DirectoryNotFoundException>()));

    public override async Task<DataCurationResult> RunAsync(WorkflowContext context, DataCurationInput input)
    {
        if (input.Parallelism < 1) throw new ArgumentException($"Parallelism must be at least 1, got {input.Parallelism}.");
        var started = context.CurrentUtcDateTime;
        var format = input.Format ?? new CurationFormat();
        var listing = await context.CallActivityAsync<ShardListing>(nameof(ListShardsActivity),
            new ListShardsInput(input.InputDirectory, input.OutputDirectory, input.Strategy, format), Retry);
        var shards = listing.Shards;
        var progress = new CurationProgressTracker(shards.Count);

        DuplicatePlanSummary? plan = null;
        if (listing.Deduplicates)
        {
            var signed = 0;
            context.SetCustomStatus(progress.Phase("signatures", 0));
            var signatures = await RunBoundedAsync(shards, input.Parallelism,
                shard => context.CallActivityAsync<ShardSignatureResult>(nameof(ShardSignatureActivity),
                    new ShardSignatureInput(shard, input.OutputDirectory, input.Strategy, format), Retry),
                _ => context.SetCustomStatus(progress.Phase("signatures", ++signed)));
            context.SetCustomStatus(progress.Phase("planning", signed));
            plan = await context.CallActivityAsync<DuplicatePlanSummary>(nameof(DuplicatePlanActivity),
                new DuplicatePlanInput(input.OutputDirectory, input.Strategy, signatures.Where(s => s.SignaturePath is not null).Select(s => s.SignaturePath!).ToList()),
                Retry);
        }

        progress.Start(context.CurrentUtcDateTime);
        context.SetCustomStatus(progress.Status(context.CurrentUtcDateTime));
        var results = await RunBoundedAsync(shards, input.Parallelism,
            shard => context.CallActivityAsync<ShardCurationResult>(nameof(ShardCurationActivity),
                new ShardCurationInput(shard, input.OutputDirectory, input.Strategy, format, plan?.Hash), Retry),
            result =>
            {
                progress.Add(result);
                context.SetCustomStatus(progress.Status(context.CurrentUtcDateTime));
            });

        context.SetCustomStatus(progress.Phase("manifest", results.Length));
        var manifest = await context.CallActivityAsync<CurationManifestSummary>(nameof(CurationManifestActivity),
            new CurationManifestInput(input.OutputDirectory, input.Strategy, results.Select(r => r.Shard).ToList(), plan), Retry);
        var finished = progress.Status(context.CurrentUtcDateTime) with { Phase = "completed", EtaSeconds = 0 };
        context.SetCustomStatus(finished);

        return new DataCurationResult(listing.StrategyName, listing.StrategyHash, plan?.Hash, manifest.ManifestPath, shards.Count,
            manifest.ShardsOk, manifest.ShardsFailed, results.Count(r => r.Reused), manifest.DocumentsIn, manifest.DocumentsOut,
            manifest.BytesIn, manifest.BytesOut, plan?.ExactDuplicates ?? 0, plan?.NearDuplicates ?? 0, manifest.Failed,
            (context.CurrentUtcDateTime - started).TotalSeconds);
    }

    /// <summary>
    /// Starts one task per item, at most <paramref name="parallelism"/> at a time; a new one starts as soon as
    /// any finishes. Deterministic on replay: tasks complete in history order, so the same calls are scheduled
    /// in the same order. Results come back in item order.
    /// </summary>
    private static async Task<T[]> RunBoundedAsync<T>(IReadOnlyList<string> items, int parallelism, Func<string, Task<T>> start, Action<T> completed)
    {
        var results = new T[items.Count];
        var running = new List<(Task<T> Task, int Index)>();
        var next = 0;
        while (next < items.Count || running.Count > 0)
        {
            while (next < items.Count && running.Count < parallelism)
            {
                running.Add((start(items[next]), next));
                next++;
            }

            var done = await Task.WhenAny(running.Select(r => r.Task));
            var slot = running.FindIndex(r => r.Task == done);
            var index = running[slot].Index;
            running.RemoveAt(slot);
            results[index] = await done;
            completed(results[index]);
        }

        return results;
    }
}
