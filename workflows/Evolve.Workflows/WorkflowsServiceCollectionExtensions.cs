using Evolve.Agents;
using Evolve.Durable.Hosting;
using Evolve.Engineering;
using Evolve.Engineering.Cascade;
using Evolve.Tasks;
using Evolve.Workflows.Activities;
using Evolve.Workflows.Runtime;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Evolve.Workflows;

public static class WorkflowsServiceCollectionExtensions
{
    /// <summary>
    /// Registers what the evolution activities use: the engineer (static check, sandbox, cascade) unless already
    /// registered, the agents (offline defaults via TryAdd, so researchers, debuggers or analyzers registered before win),
    /// and <see cref="CampaignRuntimes"/>, which opens each campaign's task, effective configuration and storage once.
    /// Register the workflows themselves with <see cref="AddEvolutionWorkflows"/>.
    /// </summary>
    public static IServiceCollection AddEvolveWorkflows(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(EvaluationCascade))) services.AddEvolveEngineering();
        services.AddEvolveTasks();
        services.AddEvolveAgents();
        services.TryAddSingleton<EmittedCognitionImporter>();
        services.TryAddSingleton(sp => new CampaignRuntimes(
            sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(), sp.GetRequiredService<TaskCatalog>(),
            new CampaignAgents(sp.GetRequiredService<IResearcher>(), sp.GetRequiredService<IDebugger>(), sp.GetRequiredService<IAnalyzer>(),
                sp.GetService<INoveltyJudge>(), sp.GetService<IJudge>()),
            sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>()));
        return services;
    }

    /// <summary>Registers <see cref="EvolutionCampaignWorkflow"/>, <see cref="EvolutionRoundWorkflow"/> and their activities with a worker.</summary>
    public static DurableRegistry AddEvolutionWorkflows(this DurableRegistry registry) =>
        registry.AddWorkflow<EvolutionCampaignWorkflow>()
            .AddWorkflow<EvolutionRoundWorkflow>()
            .AddActivity<PrepareCampaignActivity>()
            .AddActivity<AddCognitionActivity>()
            .AddActivity<SeedProgramActivity>()
            .AddActivity<SampleActivity>()
            .AddActivity<RetrieveCognitionActivity>()
            .AddActivity<ResearchActivity>()
            .AddActivity<StaticCheckActivity>()
            .AddActivity<DebugActivity>()
            .AddActivity<NoveltyActivity>()
            .AddActivity<EvaluateStageActivity>()
            .AddActivity<JudgeActivity>()
            .AddActivity<ReadStageProgressActivity>()
            .AddActivity<AnalyzeActivity>()
            .AddActivity<CommitNodeActivity>();
}
