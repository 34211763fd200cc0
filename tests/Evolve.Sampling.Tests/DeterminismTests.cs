using Evolve.Core;

namespace Evolve.Sampling.Tests;

public sealed class DeterminismTests
{
    public static TheoryData<string> Kinds => new() { "ucb1", "greedy", "random", "map-elites" };

    private static SamplerOptions Options(string kind, ulong seed)
    {
        var options = new SamplerOptions { Kind = kind, Seed = seed, ContextCount = 3 };
        options.MapElites.Islands = 3;
        options.MapElites.MigrationInterval = 7;
        options.MapElites.Dimensions = [new() { Name = "complexity", Bins = 5, Min = 0, Max = 200 }, new() { Name = "diversity", Bins = 4, Min = 0, Max = 1 }];
        return options;
    }

    /// <summary>A small evolving campaign: each round draws, then commits a child on the drawn island.</summary>
    private static List<string> Run(INodeSampler sampler, Population population, int fromRound, int toRound)
    {
        var trace = new List<string>();
        for (var round = fromRound; round <= toRound; round++)
        {
            var result = population.Draw(sampler, round);
            trace.Add($"{result.Strategy}|{result.Island}|{result.RootId}|{string.Join(",", result.ContextIds)}|{string.Join(",", result.LessonIds)}");
            var failed = round % 5 == 0;
            population.Add(failed ? null : (round * 7919 % 101) / 10.0, failed ? NodeStatus.Crash : NodeStatus.Ok,
                island: result.Island, code: new string('x', round * 13 % 190) + $" variant {round % 9}");
        }
        return trace;
    }

    private static Population Seeded()
    {
        var population = new Population();
        for (var i = 0; i < 6; i++) population.Add(i * 1.5, island: i % 3, code: $"int f() => {i};");
        return population;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Same_seed_gives_the_same_draws(string kind)
    {
        var first = Run(SamplerFactory.Create(Options(kind, 11)), Seeded(), 6, 80);
        var second = Run(SamplerFactory.Create(Options(kind, 11)), Seeded(), 6, 80);
        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData("random")]
    [InlineData("map-elites")]
    public void Different_seeds_give_different_draws(string kind)
    {
        var first = Run(SamplerFactory.Create(Options(kind, 11)), Seeded(), 6, 80);
        var second = Run(SamplerFactory.Create(Options(kind, 12)), Seeded(), 6, 80);
        Assert.NotEqual(first, second);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Saving_and_restoring_mid_run_continues_exactly(string kind)
    {
        var straight = Run(SamplerFactory.Create(Options(kind, 5)), Seeded(), 6, 90);

        var population = Seeded();
        var before = SamplerFactory.Create(Options(kind, 5));
        var firstHalf = Run(before, population, 6, 40);
        var state = before.SaveState();
        var after = SamplerFactory.Create(Options(kind, 5));
        after.RestoreState(state);
        Assert.Equal(before.ObservedThroughSequence, after.ObservedThroughSequence);
        Assert.Equal(state, after.SaveState());
        var secondHalf = Run(after, population, 41, 90);

        Assert.Equal(straight, firstHalf.Concat(secondHalf).ToList());
    }

    [Fact]
    public void Restoring_a_state_of_another_kind_is_refused_with_a_clear_error()
    {
        var state = SamplerFactory.Create(Options("random", 1)).SaveState();
        var error = Assert.Throws<InvalidOperationException>(() => SamplerFactory.Create(Options("ucb1", 1)).RestoreState(state));
        Assert.Contains("'random'", error.Message);
        Assert.Contains("'ucb1'", error.Message);
    }

    [Fact]
    public void Corrupt_state_is_refused_with_a_clear_error()
    {
        var error = Assert.Throws<FormatException>(() => SamplerFactory.Create(Options("ucb1", 1)).RestoreState("{not json"));
        Assert.Contains("not valid JSON", error.Message);
    }

    [Fact]
    public void Generator_state_round_trips_and_bounds_hold()
    {
        var a = Xoshiro256.FromSeed(3);
        for (var i = 0; i < 10; i++) a.NextUInt64();
        var b = Xoshiro256.FromState(a.State);
        Assert.Equal(Enumerable.Range(0, 50).Select(_ => a.NextUInt64()), Enumerable.Range(0, 50).Select(_ => b.NextUInt64()));

        var counts = new int[7];
        for (var i = 0; i < 70_000; i++) counts[a.NextInt(7)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_000, 11_000));
        for (var i = 0; i < 1000; i++) Assert.InRange(a.NextDouble(), 0.0, 0.9999999999);
    }
}
