using Evolve.Core;

namespace Evolve.Sampling.Tests;

public sealed class SimpleSamplerTests
{
    private static SamplerOptions Options(string kind, ulong seed = 7, int rootPool = 10) =>
        new() { Kind = kind, Seed = seed, RootPoolSize = rootPool, ContextPoolSize = 20, ContextCount = 3, LessonCount = 2 };

    private static Population Ten()
    {
        var population = new Population();
        for (var i = 0; i < 10; i++) population.Add(score: i);
        return population;
    }

    [Fact]
    public void Ucb1_cold_start_visits_every_node_once_before_repeating_any()
    {
        var population = Ten();
        var sampler = SamplerFactory.Create(Options("ucb1"));

        var roots = Enumerable.Range(1, 10).Select(round => population.Draw(sampler, round)).ToList();

        Assert.Equal(10, roots.Select(r => r.RootId).Distinct().Count());
        Assert.All(roots, r => Assert.Equal("ucb1:unvisited", r.Strategy));
        Assert.All(population.Nodes, n => Assert.Equal(1, n.Visits));
        // Unvisited nodes are tried best first.
        Assert.Equal(Node.IdForRound(9), roots[0].RootId);
    }

    [Fact]
    public void Ucb1_visit_counts_keep_growing_and_favour_high_scores_after_exploration()
    {
        var population = Ten();
        var sampler = SamplerFactory.Create(Options("ucb1"));

        for (var round = 1; round <= 400; round++) population.Draw(sampler, round);

        Assert.Equal(400, population.Nodes.Sum(n => n.Visits));
        Assert.All(population.Nodes, n => Assert.True(n.Visits >= 2, $"{n.Id} visited {n.Visits} times: UCB1 must keep exploring"));
        var best = population.VisitsOf(Node.IdForRound(9));
        var worst = population.VisitsOf(Node.IdForRound(0));
        // Random sampling would give ~40 each; UCB1 concentrates on the best.
        Assert.True(best > 2 * worst, $"best node visited {best} times, worst {worst}");
        Assert.True(best > 60, $"best node visited only {best} of 400 times");
    }

    [Fact]
    public void Ucb1_with_larger_c_explores_more_evenly()
    {
        static long Spread(double c)
        {
            var population = Ten();
            var options = Options("ucb1");
            options.Ucb1.C = c;
            var sampler = SamplerFactory.Create(options);
            for (var round = 1; round <= 300; round++) population.Draw(sampler, round);
            return population.Nodes.Max(n => n.Visits) - population.Nodes.Min(n => n.Visits);
        }

        Assert.True(Spread(0.1) > Spread(5.0));
    }

    [Fact]
    public void Greedy_always_builds_on_the_best_node()
    {
        var population = Ten();
        var sampler = SamplerFactory.Create(Options("greedy"));
        for (var round = 1; round <= 20; round++)
            Assert.Equal(Node.IdForRound(9), population.Draw(sampler, round).RootId);
    }

    [Fact]
    public void Random_draws_roots_only_from_the_top_k()
    {
        var population = new Population();
        for (var i = 0; i < 30; i++) population.Add(score: i);
        var sampler = SamplerFactory.Create(Options("random", rootPool: 5));
        var roots = Enumerable.Range(1, 300).Select(round => population.Draw(sampler, round).RootId!).ToHashSet();
        var topFive = Enumerable.Range(25, 5).Select(i => Node.IdForRound(i)).ToHashSet();
        Assert.Equal(topFive, roots);
    }

    [Theory]
    [InlineData("ucb1")]
    [InlineData("greedy")]
    [InlineData("random")]
    public void Failed_nodes_are_lessons_never_roots(string kind)
    {
        var population = new Population();
        population.Add(score: 1);
        population.Add(score: 100, status: NodeStatus.Crash);
        population.Add(score: null, status: NodeStatus.CompileError);
        population.Add(score: 2);
        var sampler = SamplerFactory.Create(Options(kind));

        for (var round = 1; round <= 50; round++)
        {
            var request = population.Request(sampler, round);
            // Even when a caller slips a failed node into the candidates, it must not become a root.
            var polluted = request with { Candidates = [new NodeSummary("n00001", 1, "", 100, NodeStatus.Crash, 0, 0), .. request.Candidates] };
            var result = sampler.Sample(polluted);
            Assert.Contains(result.RootId, new[] { "n00000", "n00003" });
            Assert.DoesNotContain("n00001", result.ContextIds);
            Assert.Equal(["n00002", "n00001"], result.LessonIds);
        }
    }

    [Fact]
    public void Context_comes_from_the_top_m_and_never_repeats_the_root()
    {
        var population = new Population();
        for (var i = 0; i < 100; i++) population.Add(score: i);
        var options = Options("random");
        options.ContextPoolSize = 15;
        options.ContextCount = 5;
        var sampler = SamplerFactory.Create(options);
        var topFifteen = Enumerable.Range(85, 15).Select(i => Node.IdForRound(i)).ToHashSet();
        for (var round = 1; round <= 100; round++)
        {
            var result = population.Draw(sampler, round);
            Assert.Equal(5, result.ContextIds.Count);
            Assert.Equal(5, result.ContextIds.Distinct().Count());
            Assert.DoesNotContain(result.RootId, result.ContextIds);
            Assert.All(result.ContextIds, id => Assert.Contains(id, topFifteen));
        }
    }

    [Fact]
    public void Empty_campaign_gives_no_root()
    {
        var sampler = SamplerFactory.Create(Options("ucb1"));
        var result = sampler.Sample(new SamplingRequest(1, [], []));
        Assert.Null(result.RootId);
        Assert.Empty(result.VisitedNodeIds);
    }
}
