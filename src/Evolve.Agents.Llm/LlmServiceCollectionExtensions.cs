using Evolve.Agents.Novelty;
using Evolve.Agents.Offline;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Evolve.Agents.Llm;

public static class LlmServiceCollectionExtensions
{
    /// <summary>
    /// Registers the LLM agent of every agent that has an endpoint (its own or <c>llm.endpoint</c>) and is enabled:
    /// <see cref="LlmResearcher"/>, <see cref="LlmDebugger"/>, <see cref="LlmAnalyzer"/>, <see cref="LlmNoveltyJudge"/>,
    /// <see cref="LlmJudge"/> (only with a <c>judge:</c> section), and <see cref="OpenAiEmbeddingGenerator"/> when
    /// <c>llm.embeddings</c> is set. The others keep the offline defaults of <c>AddEvolveAgents</c> (call either first:
    /// these registrations are plain adds, the defaults are TryAdds). Nothing configured registers nothing. Needs an
    /// <see cref="Core.Transcripts.ITranscriptStore"/> (AddEvolveCampaignStorage registers the campaign's).
    /// Throws <see cref="LlmConfigurationException"/> listing every configuration problem.
    /// </summary>
    public static IServiceCollection AddLlmAgents(this IServiceCollection services, LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        if (!options.AnyConfigured) return services;

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(options.Retry);
        services.TryAddSingleton<OpenAiClientFactory>();
        services.TryAddSingleton<LlmRetryPolicy>();
        services.TryAddSingleton<LlmChatClient>();

        if (options.IsConfigured(LlmAgentKind.Researcher)) services.AddSingleton<IResearcher, LlmResearcher>();
        if (options.IsConfigured(LlmAgentKind.Debugger)) services.AddSingleton<IDebugger, LlmDebugger>();
        if (options.IsConfigured(LlmAgentKind.Analyzer))
        {
            services.TryAddSingleton<DeterministicAnalyzer>();
            services.AddSingleton<IAnalyzer, LlmAnalyzer>();
        }
        if (options.IsConfigured(LlmAgentKind.Novelty))
        {
            // The offline judge is the fallback for unusable replies; its settings come from Agents:Novelty when registered.
            services.TryAddSingleton(sp => new ParameterNoveltyJudge(sp.GetService<NoveltyOptions>() ?? new NoveltyOptions()));
            services.AddSingleton<INoveltyJudge, LlmNoveltyJudge>();
        }
        if (options.IsConfigured(LlmAgentKind.Judge)) services.AddSingleton<IJudge, LlmJudge>();
        if (options.Embeddings is { } embeddings)
        {
            services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => new OpenAiEmbeddingGenerator(
                embeddings, sp.GetRequiredService<OpenAiClientFactory>(), sp.GetRequiredService<LlmRetryPolicy>()));
        }
        return services;
    }
}
