namespace Evolve.Sampling.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_match_the_documented_values()
    {
        var options = new SamplerOptions();
        Assert.Empty(options.Validate());
        Assert.Equal(1.414, options.Ucb1.C);
        Assert.Equal(10, options.RootPoolSize);
        Assert.Equal(50, options.ContextPoolSize);
        options.Kind = "map-elites";
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void An_unknown_kind_names_the_key_and_the_allowed_values()
    {
        var error = Assert.Throws<SamplerConfigurationException>(() => SamplerFactory.Create(new SamplerOptions { Kind = "ucb2" }));
        Assert.Contains("sampler.kind", error.Message);
        Assert.Contains("ucb1, greedy, random, map-elites", error.Message);
    }

    [Fact]
    public void Every_bad_setting_is_reported_with_its_key()
    {
        var options = new SamplerOptions { Kind = "map-elites", RootPoolSize = 0, ContextCount = -1 };
        options.Ucb1.C = double.NaN;
        options.MapElites.Islands = 0;
        options.MapElites.ExploitationRatio = 0.8;
        options.MapElites.ExplorationRatio = 0.5;
        options.MapElites.MigrationRate = 0;
        options.MapElites.Dimensions = [new() { Name = "complexity", Bins = 0, Min = 5, Max = 1 }, new() { Name = "complexity" }];
        var errors = options.Validate();
        foreach (var key in new[] { "sampler.rootPoolSize", "sampler.contextCount", "sampler.ucb1.c", "sampler.mapElites.islands",
                     "exploitationRatio + explorationRatio", "sampler.mapElites.migrationRate", "dimensions[0].bins", "dimensions[0] range", "used twice" })
            Assert.Contains(errors, e => e.Contains(key, StringComparison.Ordinal));
    }
}
