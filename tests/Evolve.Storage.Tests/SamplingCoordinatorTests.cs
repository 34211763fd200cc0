using Evolve.Core;
using Evolve.Sampling;
using Microsoft.Data.Sqlite;

namespace Evolve.Storage.Tests;

public sealed class SamplingCoordinatorTests
{
    private static SamplerOptions Ucb1(ulong seed = 1) => new() { Kind = "ucb1", Seed = seed, RootPoolSize = 5, ContextCount = 2 };

    private static SamplerOptions MapElites()
    {
        var options = new SamplerOptions { Kind = "map-elites", Seed = 9, ContextCount = 2 };
        options.MapElites.Islands = 3;
        options.MapElites.MigrationInterval = 4;
        options.MapElites.MigrationRate = 0.5;
        return options;
    }

    private static async Task SeedAsync(CampaignStorage storage, int count)
    {
        for (var i = 0; i < count; i++) await storage.Nodes.CommitNodeAsync(TempCampaign.Node(i, i, island: i % 3, code: $"x = {i}; " + new string('a', i * 40)));
    }

    [Fact]
    public async Task A_retried_draw_returns_the_recorded_result_and_counts_its_visit_once()
    {
        using var temp = new TempCampaign();
        using var storage = await temp.OpenAsync(Ucb1());
        await SeedAsync(storage, 5);

        var first = await storage.Sampling.DrawAsync(5);
        var retry = await storage.Sampling.DrawAsync(5);

        Assert.Equal(first.RootId, retry.RootId);
        Assert.Equal(first.ContextIds, retry.ContextIds);
        Assert.Equal(1, (await storage.Nodes.GetAsync(first.RootId!))!.Visits);
        Assert.Equal(first.RootId, (await storage.Sampling.GetDrawAsync(5))!.RootId);
    }

    [Fact]
    public async Task Ucb1_cold_start_through_the_database_visits_every_candidate_and_keeps_counting()
    {
        using var temp = new TempCampaign();
        using var storage = await temp.OpenAsync(Ucb1());
        await SeedAsync(storage, 5);

        var roots = new List<string>();
        for (var round = 5; round < 10; round++) roots.Add((await storage.Sampling.DrawAsync(round)).RootId!);
        Assert.Equal(5, roots.Distinct().Count());
        Assert.All(await storage.Nodes.TopAsync(5), n => Assert.Equal(1, n.Visits));

        for (var round = 10; round < 40; round++) await storage.Sampling.DrawAsync(round);
        var top = await storage.Nodes.TopAsync(5);
        Assert.Equal(35, top.Sum(n => n.Visits));
        Assert.True(top[0].Visits > top[^1].Visits, "the best node should be drawn more often than the worst");
    }

    [Fact]
    public async Task Draws_are_identical_with_or_without_a_restart_in_between()
    {
        async Task<List<string>> Run(bool restart)
        {
            using var temp = new TempCampaign();
            var trace = new List<string>();
            var storage = await temp.OpenAsync(MapElites());
            await SeedAsync(storage, 6);
            for (var round = 6; round < 30; round++)
            {
                if (restart && round % 7 == 0)
                {
                    storage.Dispose();
                    SqliteConnection.ClearAllPools();
                    storage = await temp.OpenAsync(MapElites());
                }
                var draw = await storage.Sampling.DrawAsync(round);
                trace.Add($"{draw.Strategy}/{draw.Island}/{draw.RootId}/{string.Join(",", draw.ContextIds)}");
                await storage.Nodes.CommitNodeAsync(TempCampaign.Node(round, round % 11, island: draw.Island, parents: [draw.RootId!],
                    code: $"y = {round}; " + new string('b', round * 97 % 3000)));
            }
            storage.Dispose();
            return trace;
        }

        Assert.Equal(await Run(restart: false), await Run(restart: true));
    }

    [Fact]
    public async Task Map_elites_state_with_island_membership_is_persisted()
    {
        using var temp = new TempCampaign();
        using (var storage = await temp.OpenAsync(MapElites()))
        {
            await SeedAsync(storage, 6);
            for (var round = 6; round < 12; round++) await storage.Sampling.DrawAsync(round);
        }
        using var reopened = await temp.OpenAsync(MapElites());
        var stored = await reopened.States.GetAsync(reopened.Sampling.StateKey);
        var sampler = (MapElitesSampler)SamplerFactory.Create(MapElites());
        sampler.RestoreState(stored!.Json);
        Assert.Equal(6, sampler.ObservedThroughSequence);
        for (var island = 0; island < 3; island++)
        {
            var natives = sampler.ElitesOf(island).Where(e => !e.Migrant).ToList();
            Assert.NotEmpty(natives);
            foreach (var elite in natives) Assert.Equal(island, (await reopened.Nodes.GetAsync(elite.NodeId))!.Island);
        }
        Assert.Contains(sampler.ElitesOf(1), e => e.Migrant && e.FromIsland == 0); // migrations at rounds 6 and 10
        Assert.Equal(6, stored.Revision);
    }

    [Fact]
    public async Task Concurrent_draws_for_different_rounds_never_share_a_random_stream()
    {
        using var temp = new TempCampaign();
        using var storage = await temp.OpenAsync(new SamplerOptions { Kind = "random", Seed = 4, RootPoolSize = 50, ContextCount = 0 });
        for (var i = 0; i < 50; i++) await storage.Nodes.CommitNodeAsync(TempCampaign.Node(i, i));
        using var other = await temp.OpenAsync(new SamplerOptions { Kind = "random", Seed = 4, RootPoolSize = 50, ContextCount = 0 });

        var draws = await Task.WhenAll(Enumerable.Range(100, 20).Select(round =>
            Task.Run(() => (round % 2 == 0 ? storage : other).Sampling.DrawAsync(round))));

        var stored = await storage.States.GetAsync(storage.Sampling.StateKey);
        Assert.Equal(20, stored!.Revision);
        Assert.Equal(20, (await storage.Nodes.TopAsync(50)).Sum(n => n.Visits));
        // The two coordinators shared one generator through the database: the sequence equals a single sampler's.
        var reference = SamplerFactory.Create(new SamplerOptions { Kind = "random", Seed = 4, RootPoolSize = 50, ContextCount = 0 });
        var expectedRoots = Enumerable.Range(0, 20).Select(_ => reference.Sample(new SamplingRequest(0,
            Enumerable.Range(0, 50).Reverse().Select(i => new NodeSummary(Node.IdForRound(i), i, "", i, NodeStatus.Ok, 0, 0)).ToList(), [])).RootId).Order().ToList();
        Assert.Equal(expectedRoots, draws.Select(d => d.RootId).Order().ToList());
    }
}
