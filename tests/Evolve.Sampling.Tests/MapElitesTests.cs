using Evolve.Core;

namespace Evolve.Sampling.Tests;

public sealed class MapElitesTests
{
    private static SamplerOptions Options(int islands = 1, int interval = 0, double rate = 0.5, double exploit = 0.7, double explore = 0.2)
    {
        var options = new SamplerOptions { Kind = "map-elites", Seed = 3, RootPoolSize = 10, ContextCount = 2 };
        options.MapElites.Islands = islands;
        options.MapElites.MigrationInterval = interval;
        options.MapElites.MigrationRate = rate;
        options.MapElites.ExploitationRatio = exploit;
        options.MapElites.ExplorationRatio = explore;
        options.MapElites.Dimensions = [new() { Name = "x", Bins = 2, Min = 0, Max = 1 }];
        return options;
    }

    private static Dictionary<string, double> X(double x) => new() { ["x"] = x };

    [Fact]
    public void Roots_come_from_the_grid_and_a_dominated_node_is_never_a_root()
    {
        var population = new Population();
        var elite = population.Add(5, metrics: X(0.1));
        var dominated = population.Add(3, metrics: X(0.2)); // same cell as the elite, lower score
        var other = population.Add(1, metrics: X(0.9));    // alone in the other cell
        var sampler = (MapElitesSampler)SamplerFactory.Create(Options(exploit: 0.5, explore: 0.5));

        var roots = Enumerable.Range(1, 400).Select(round => population.Draw(sampler, round).RootId).ToList();

        Assert.DoesNotContain(dominated.Id, roots);
        Assert.Contains(elite.Id, roots);
        Assert.Contains(other.Id, roots);
        Assert.Equal([elite.Id, other.Id], sampler.ElitesOf(0).Select(e => e.NodeId));
        // The dominated node is still a good context node: it is in the top-m.
        Assert.Equal(0, population.VisitsOf(dominated.Id));
    }

    [Fact]
    public void A_better_node_replaces_the_elite_of_its_cell()
    {
        var population = new Population();
        var first = population.Add(2, metrics: X(0.1));
        var sampler = (MapElitesSampler)SamplerFactory.Create(Options());
        population.Draw(sampler, 1);
        var better = population.Add(4, metrics: X(0.3));
        var roots = Enumerable.Range(2, 100).Select(round => population.Draw(sampler, round).RootId).ToHashSet();
        Assert.Equal([better.Id], roots);
        Assert.DoesNotContain(first.Id, sampler.ElitesOf(0).Select(e => e.NodeId));
    }

    [Fact]
    public void Exploration_reaches_low_scoring_elites_that_exploitation_with_k1_never_picks()
    {
        var population = new Population();
        var high = population.Add(9, metrics: X(0.1));
        var low = population.Add(1, metrics: X(0.9));
        var exploitOnly = Options(exploit: 1, explore: 0);
        exploitOnly.RootPoolSize = 1;
        var exploreOnly = Options(exploit: 0, explore: 1);
        exploreOnly.RootPoolSize = 1;

        var exploited = Enumerable.Range(1, 100).Select(r => population.Draw(SamplerFactory.Create(exploitOnly), r).RootId).ToHashSet();
        var sampler = SamplerFactory.Create(exploreOnly);
        var explored = Enumerable.Range(1, 100).Select(r => population.Draw(sampler, r).RootId).ToHashSet();

        Assert.Equal([high.Id], exploited);
        Assert.Equal(new HashSet<string?> { high.Id, low.Id }, explored);
    }

    [Fact]
    public void Failed_nodes_never_enter_the_grid()
    {
        var population = new Population();
        population.Add(1, metrics: X(0.1));
        population.Add(100, NodeStatus.Timeout, metrics: X(0.9));
        var sampler = (MapElitesSampler)SamplerFactory.Create(Options());
        var results = Enumerable.Range(1, 50).Select(r => population.Draw(sampler, r)).ToList();
        Assert.All(results, r => Assert.Equal("n00000", r.RootId));
        Assert.Equal(["n00000"], sampler.ElitesOf(0).Select(e => e.NodeId));
        Assert.All(results, r => Assert.Equal(["n00001"], r.LessonIds));
    }

    [Fact]
    public void Rounds_rotate_over_islands_and_empty_islands_borrow_a_root()
    {
        var population = new Population();
        population.Add(1, island: 0, metrics: X(0.1));
        var sampler = SamplerFactory.Create(Options(islands: 3));
        var results = Enumerable.Range(1, 6).Select(r => population.Draw(sampler, r)).ToList();
        Assert.Equal([1, 2, 0, 1, 2, 0], results.Select(r => r.Island));
        Assert.Equal("map-elites:seed-island", results[0].Strategy);
        Assert.All(results, r => Assert.Equal("n00000", r.RootId));
    }

    [Fact]
    public void Migration_moves_elites_one_hop_along_the_ring_and_never_twice()
    {
        var population = new Population();
        var a = population.Add(5, island: 0, metrics: X(0.1));
        var b = population.Add(4, island: 0, metrics: X(0.9));
        var sampler = (MapElitesSampler)SamplerFactory.Create(Options(islands: 3, interval: 5, rate: 1.0));

        population.Draw(sampler, 1);
        Assert.Empty(sampler.ElitesOf(1));
        population.Draw(sampler, 5); // first migration: island 0 → island 1
        Assert.Equal([a.Id, b.Id], sampler.ElitesOf(1).Select(e => e.NodeId));
        Assert.All(sampler.ElitesOf(1), e => Assert.True(e.Migrant));
        Assert.All(sampler.ElitesOf(0), e => Assert.False(e.Migrant));

        var c = population.Add(6, island: 0, metrics: X(0.2)); // a newcomer that has not migrated yet
        population.Draw(sampler, 10); // second migration
        Assert.Empty(sampler.ElitesOf(2)); // migrants in island 1 stay put
        Assert.Contains(c.Id, sampler.ElitesOf(1).Select(e => e.NodeId)); // the newcomer moves once
        population.Draw(sampler, 15);
        population.Draw(sampler, 20);
        Assert.Empty(sampler.ElitesOf(2));

        // Migrants are real members of their new island's grid: that island draws roots from them.
        var roots = Enumerable.Range(0, 30).Select(i => population.Draw(sampler, 22 + 3 * i)).ToList(); // rounds ≡ 1 (mod 3): island 1
        Assert.All(roots, r => Assert.Equal(1, r.Island));
        Assert.All(roots, r => Assert.Contains(r.RootId, new[] { a.Id, b.Id, c.Id }));
    }

    [Fact]
    public void Island_membership_and_migrants_survive_a_restart()
    {
        var population = new Population();
        population.Add(5, island: 0, metrics: X(0.1));
        population.Add(3, island: 1, metrics: X(0.9));
        var options = Options(islands: 2, interval: 2, rate: 1.0);
        var sampler = (MapElitesSampler)SamplerFactory.Create(options);
        population.Draw(sampler, 2);
        var restored = (MapElitesSampler)SamplerFactory.Create(options);
        restored.RestoreState(sampler.SaveState());
        for (var island = 0; island < 2; island++)
            Assert.Equal(sampler.ElitesOf(island).Select(e => (e.NodeId, e.Migrant, e.Cell)), restored.ElitesOf(island).Select(e => (e.NodeId, e.Migrant, e.Cell)));
        Assert.Contains(restored.ElitesOf(1), e => e.NodeId == "n00000" && e.Migrant);
    }

    [Fact]
    public void Restoring_with_changed_islands_is_refused()
    {
        var state = SamplerFactory.Create(Options(islands: 2)).SaveState();
        var error = Assert.Throws<InvalidOperationException>(() => SamplerFactory.Create(Options(islands: 3)).RestoreState(state));
        Assert.Contains("2 islands", error.Message);
    }

    [Fact]
    public void Complexity_and_diversity_features_spread_nodes_over_cells()
    {
        var options = new SamplerOptions { Kind = "map-elites", Seed = 1 };
        options.MapElites.Islands = 1;
        options.MapElites.Dimensions =
        [
            new() { Name = "complexity", Bins = 4, Min = 0, Max = 400 },
            new() { Name = "diversity", Bins = 4, Min = 0, Max = 1 },
        ];
        var sampler = (MapElitesSampler)SamplerFactory.Create(options);
        var population = new Population();
        population.Add(1, code: "double Radius(int i) => 0.1 * i;");
        population.Add(0.5, code: "double Radius(int i) => 0.1 * i + 0.01;"); // same cell as the first, worse
        population.Add(3, code: string.Join(" ", Enumerable.Range(0, 40).Select(i => $"alpha{i} beta{i * 3}")));
        population.Add(4, code: new string('y', 250));
        population.ObserveAll(sampler);
        var elites = sampler.ElitesOf(0);
        Assert.Equal(3, elites.Count);
        Assert.DoesNotContain(elites, e => e.NodeId == "n00001");
        Assert.Equal(1, elites.Single(e => e.NodeId == "n00000").Features[0] / "double Radius(int i) => 0.1 * i;".Length);
        Assert.Equal(0, elites.Single(e => e.NodeId == "n00000").Features[1]); // first node: nothing to differ from
        Assert.True(elites.Single(e => e.NodeId == "n00003").Features[1] > 0.5); // unlike everything before it
    }

    [Fact]
    public void A_metric_dimension_missing_on_an_ok_node_is_a_clear_error()
    {
        var population = new Population();
        population.Add(1, metrics: new Dictionary<string, double> { ["y"] = 1 });
        var sampler = SamplerFactory.Create(Options());
        var error = Assert.Throws<InvalidOperationException>(() => population.ObserveAll(sampler));
        Assert.Contains("'x'", error.Message);
        Assert.Contains("y", error.Message);
    }

    [Fact]
    public void Sampling_without_observing_is_refused()
    {
        var population = new Population();
        population.Add(1, metrics: X(0.5));
        var sampler = SamplerFactory.Create(Options());
        Assert.Throws<InvalidOperationException>(() => sampler.Sample(population.Request(sampler, 1)));
    }
}
