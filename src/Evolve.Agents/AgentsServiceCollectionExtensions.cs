using Evolve.Agents.Novelty;
using Evolve.Agents.Offline;
using Evolve.Storage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Evolve.Agents;

public static class AgentsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the offline agents as defaults: <see cref="OfflineResearcher"/> as <see cref="IResearcher"/>,
    /// <see cref="NoRepairDebugger"/> as <see cref="IDebugger"/>, <see cref="DeterministicAnalyzer"/> as
    /// <see cref="IAnalyzer"/>, <see cref="ParameterNoveltyJudge"/> as <see cref="INoveltyJudge"/>, and the
    /// <see cref="NoveltyChecker"/> (with the hashing embedder unless an embedding generator is registered). Defaults use
    /// TryAdd, so LLM agents registered before win; <see cref="IJudge"/> has no offline implementation and is used only
    /// when registered.
    /// </summary>
    public static IServiceCollection AddEvolveAgents(this IServiceCollection services, Action<AgentsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<AgentsOptions>();
        if (configure is not null) options.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentsOptions>, AgentsOptionsValidator>());
        options.ValidateOnStart();

        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<AgentsOptions>>().Value.Offline);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<AgentsOptions>>().Value.Novelty);
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(_ => new HashingEmbeddingGenerator());
        services.TryAddSingleton<IResearcher, OfflineResearcher>();
        services.TryAddSingleton<IDebugger, NoRepairDebugger>();
        services.TryAddSingleton<IAnalyzer, DeterministicAnalyzer>();
        services.TryAddSingleton<INoveltyJudge, ParameterNoveltyJudge>();
        services.TryAddSingleton(sp => new NoveltyChecker(
            sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(),
            sp.GetRequiredService<NoveltyOptions>(),
            sp.GetService<INoveltyJudge>()));
        return services;
    }

    private sealed class AgentsOptionsValidator : IValidateOptions<AgentsOptions>
    {
        public ValidateOptionsResult Validate(string? name, AgentsOptions options)
        {
            var failures = options.Validate();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
