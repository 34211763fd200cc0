using Evolve.Agents.Novelty;
using Evolve.Core.Transcripts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Evolve.Agents.Llm;

public static class LlmServiceCollectionExtensions
{
    /// <summary>
    /// Registers the LLM agent of every agent that has an endpoint (its own or <c>llm.endpoint</c>) and is enabled:
    /// <see cref="LlmResearcher"/>, <see cref="LlmDebugger"/>, <see cref="LlmAnalyzer"/>, <see cref="LlmNoveltyJudge"/>,
    /// <see cref="LlmJudge"/> (only with a <c>judge:</c> section), and <see cref="OpenAiEmbeddingGenerator"/> when
    /// <c>llm.embeddings</c> is set. The others keep the offline defaults of <c>AddEvolveAgents</c> (call either first:
    /// these registrations are plain adds, the defaults are TryAdds). Nothing configured registers nothing. The agents
    /// need an <see cref="ITranscriptStore"/> (AddEvolveCampaignStorage registers the campaign's).
    /// Throws <see cref="LlmConfigurationException"/> listing every configuration problem.
    /// </summary>
    public static IServiceCollection AddLlmAgents(this IServiceCollection services, LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        if (!options.AnyConfigured) return services;

        services.AddSingleton(options);
        services.AddSingleton(sp => LlmAgentSet.Create(options, sp.GetRequiredService<ITranscriptStore>(), sp.GetService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(), sp.GetService<NoveltyOptions>()));
        if (options.IsConfigured(LlmAgentKind.Researcher)) services.AddSingleton(sp => sp.GetRequiredService<LlmAgentSet>().Researcher!);
        if (options.IsConfigured(LlmAgentKind.Debugger)) services.AddSingleton(sp => sp.GetRequiredService<LlmAgentSet>().Debugger!);
        if (options.IsConfigured(LlmAgentKind.Analyzer)) services.AddSingleton(sp => sp.GetRequiredService<LlmAgentSet>().Analyzer!);
        if (options.IsConfigured(LlmAgentKind.Novelty)) services.AddSingleton(sp => sp.GetRequiredService<LlmAgentSet>().NoveltyJudge!);
        if (options.IsConfigured(LlmAgentKind.Judge)) services.AddSingleton(sp => sp.GetRequiredService<LlmAgentSet>().Judge!);
        if (options.Embeddings is not null)
        {
            services.AddSingleton(sp => LlmAgentSet.CreateEmbeddingGenerator(options, sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>())!);
        }
        return services;
    }
}
