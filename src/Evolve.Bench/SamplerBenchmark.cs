using System.Diagnostics;
using System.Globalization;
using Evolve.Core;
using Evolve.Sampling;
using Evolve.Storage;

namespace Evolve.Bench;

/// <summary>
/// Draw cost of each sampler over a campaign of 100,000 nodes, measured end to end as a round's sample activity runs
/// it: read the candidate pool from SQLite, observe new nodes, sample, and write the draw record, visit and sampler
/// state in one durable (synchronous=FULL) transaction.
/// </summary>
public sealed class SamplerBenchmark : IBenchmark
{
    private const int NodeCount = 100_000;
    private const int DrawsPerSampler = 2_000;
    private const int WarmupDraws = 300;

    public string Name => "sampler";
    public int Order => 30;

    public async Task<string> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var root = Path.Combine(context.WorkDirectory, "campaign");
        var seeding = Stopwatch.StartNew();
        using (var seed = await CampaignStorage.OpenAsync(root, "bench", durability: SqliteDurability.Normal, cancellationToken: cancellationToken))
        {
            await SeedAsync(seed.Nodes, cancellationToken);
            // Fold the seeding's write-ahead log into the database now, so the first sampler measured does not pay for it.
            await using var connection = await seed.Database.OpenAsync(cancellationToken);
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await checkpoint.ExecuteNonQueryAsync(cancellationToken);
        }
        context.Log.WriteLine($"seeded {NodeCount} nodes in {seeding.Elapsed.TotalSeconds:F1} s");

        var results = new Dictionary<string, double>();
        var kinds = new[] { "ucb1", "greedy", "random", "map-elites" };
        for (var k = 0; k < kinds.Length; k++)
        {
            var options = new SamplerOptions { Kind = kinds[k], Seed = 1 };
            options.MapElites.Dimensions =
            [
                new() { Name = FeatureDimensionOptions.Complexity, Bins = 10, Min = 0, Max = 2_000 },
                new() { Name = FeatureDimensionOptions.Diversity, Bins = 10, Min = 0, Max = 1 },
            ];
            using var storage = await CampaignStorage.OpenAsync(root, "bench", options, cancellationToken: cancellationToken);
            // Rounds far beyond the seeded ones, a separate range per sampler, so every draw is a first draw.
            var round = 1_000_000L * (k + 1);

            var catchUp = Stopwatch.StartNew();
            await storage.Sampling.DrawAsync(round++, cancellationToken);
            context.Log.WriteLine($"{kinds[k]}: first draw (restores state, observes all nodes) {catchUp.Elapsed.TotalMilliseconds:F0} ms");
            for (var i = 0; i < WarmupDraws; i++) await storage.Sampling.DrawAsync(round++, cancellationToken);

            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var timer = Stopwatch.StartNew();
            for (var i = 0; i < DrawsPerSampler; i++) await storage.Sampling.DrawAsync(round++, cancellationToken);
            var microseconds = timer.Elapsed.TotalMicroseconds / DrawsPerSampler;
            var cpuMicroseconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / DrawsPerSampler;
            results[kinds[k]] = microseconds;
            // On a shared machine wall time includes waiting for a core; CPU time shows the work itself.
            context.Log.WriteLine($"{kinds[k]}: {microseconds:F0} µs wall, {cpuMicroseconds:F0} µs CPU per draw over {DrawsPerSampler} draws");
            MeasureInMemory(context, options, await storage.Nodes.TopAsync(options.PoolSizes.CandidateCount, null, cancellationToken),
                await storage.Nodes.RecentFailuresAsync(options.PoolSizes.FailureCount, null, cancellationToken), storage);
        }

        string F(string kind) => results[kind].ToString("F0", CultureInfo.InvariantCulture);
        return $"bench sampler: n={NodeCount} ucb1_us={F("ucb1")} greedy_us={F("greedy")} random_us={F("random")} map_elites_us={F("map-elites")}";
    }

    /// <summary>The sampler alone, without the database, for the log: shows how much of a draw is storage.</summary>
    private static void MeasureInMemory(BenchContext context, SamplerOptions options, IReadOnlyList<NodeSummary> candidates, IReadOnlyList<NodeSummary> failures, CampaignStorage storage)
    {
        var sampler = SamplerFactory.Create(options);
        if (sampler.NeedsObservations)
        {
            var observe = Stopwatch.StartNew();
            long after = 0;
            while (true)
            {
                var batch = storage.Nodes.CommittedAfterAsync(after, 5_000).GetAwaiter().GetResult();
                foreach (var node in batch) sampler.Observe(node);
                if (batch.Count == 0) break;
                after = batch[^1].Sequence;
            }
            context.Log.WriteLine($"{options.Kind}: observing {NodeCount} nodes in memory took {observe.Elapsed.TotalMilliseconds:F0} ms");
        }
        const int draws = 20_000;
        var timer = Stopwatch.StartNew();
        for (var i = 0; i < draws; i++) sampler.Sample(new SamplingRequest(i, candidates, failures));
        context.Log.WriteLine($"{options.Kind}: sampler alone {timer.Elapsed.TotalMicroseconds / draws:F1} µs per draw");
        var save = Stopwatch.StartNew();
        var state = sampler.SaveState();
        context.Log.WriteLine($"{options.Kind}: state {state.Length} chars, saved in {save.Elapsed.TotalMicroseconds:F0} µs");
    }

    private static async Task SeedAsync(SqliteNodeStore nodes, CancellationToken cancellationToken)
    {
        var rng = Xoshiro256.FromSeed(2026);
        const int batchSize = 5_000;
        for (var start = 0; start < NodeCount; start += batchSize)
        {
            var batch = new List<Node>(batchSize);
            for (var round = start; round < start + batchSize; round++)
            {
                var failed = rng.NextDouble() < 0.05;
                var score = Math.Round(rng.NextDouble() * 2.6, 6);
                batch.Add(new Node
                {
                    Id = Node.IdForRound(round),
                    CampaignId = "bench",
                    Round = round,
                    Name = $"variant {round}",
                    Motivation = "benchmark node",
                    Code = $"double[] Radii() => [{string.Join(", ", Enumerable.Range(0, 1 + rng.NextInt(40)).Select(i => (i * 0.01 + score / 100).ToString("F4", CultureInfo.InvariantCulture)))}];",
                    ParentIds = round == 0 ? [] : [Node.IdForRound(rng.NextInt(round))],
                    Metrics = new Dictionary<string, double> { ["sum_radii"] = score },
                    Score = failed ? null : score,
                    Status = failed ? NodeStatus.Crash : NodeStatus.Ok,
                    Error = failed ? "benchmark failure" : null,
                    Island = round % 4,
                });
            }
            await nodes.CommitNodesAsync(batch, cancellationToken);
        }
    }
}
