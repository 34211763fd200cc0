using Evolve.Agents.Novelty;
using Evolve.Agents.Offline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Evolve.Agents.Tests;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public void Offline_agents_are_the_defaults_and_configuration_reaches_them()
    {
        using var provider = new ServiceCollection()
            .AddEvolveAgents(o => o.Novelty.SimilarityThreshold = 0.9)
            .BuildServiceProvider();
        Assert.IsType<OfflineResearcher>(provider.GetRequiredService<IResearcher>());
        Assert.IsType<DeterministicAnalyzer>(provider.GetRequiredService<IAnalyzer>());
        Assert.IsType<NoRepairDebugger>(provider.GetRequiredService<IDebugger>());
        Assert.NotNull(provider.GetRequiredService<NoveltyChecker>());
        Assert.Equal(0.9, provider.GetRequiredService<NoveltyOptions>().SimilarityThreshold);
        Assert.IsType<ParameterNoveltyJudge>(provider.GetRequiredService<INoveltyJudge>());
        Assert.Null(provider.GetService<IJudge>());
    }

    [Fact]
    public void Invalid_settings_fail_with_the_key_named()
    {
        using var provider = new ServiceCollection()
            .AddEvolveAgents(o => o.Offline.CrossoverProbability = 2)
            .BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IResearcher>());
        Assert.Contains("Agents:Offline:CrossoverProbability must be in [0, 1]", error.Message);
    }

    [Fact]
    public void A_researcher_registered_first_wins_over_the_offline_default()
    {
        using var provider = new ServiceCollection()
            .AddSingleton<IResearcher, FixedResearcher>()
            .AddEvolveAgents()
            .BuildServiceProvider();
        Assert.IsType<FixedResearcher>(provider.GetRequiredService<IResearcher>());
    }

    private sealed class FixedResearcher : IResearcher
    {
        public string Kind => "fixed";

        public Task<ResearchOutcome> ProposeAsync(ResearchRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(ResearchOutcome.Failure("fixed", Kind));
    }
}
