using Evolve.Engineering.Cascade;
using Evolve.Engineering.Sandbox;
using Evolve.Engineering.StaticChecks;
using Microsoft.Extensions.DependencyInjection;
using Evolve.Tasks;
using Microsoft.Extensions.Options;

namespace Evolve.Engineering;

public static class EngineeringServiceCollectionExtensions
{
    /// <summary>
    /// Registers the static checker (with a shared warm Roslyn compiler), the sandboxed runner and the evaluation
    /// cascade as singletons.
    /// </summary>
    public static IServiceCollection AddEvolveEngineering(this IServiceCollection services, Action<EngineeringOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<EngineeringOptions>()
            .Validate(o => o.TailBytes > 0 && o.MemoryHeadroomMb >= 0 && o.MemoryPollInterval > TimeSpan.Zero,
                "Engineering: TailBytes must be > 0, MemoryHeadroomMb >= 0 and MemoryPollInterval > 0.")
            .ValidateOnStart();
        if (configure is not null) options.Configure(configure);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EngineeringOptions>>().Value);
        services.AddEvolveTasks();
        services.AddSingleton<CandidateCompiler>();
        services.AddSingleton<StaticChecker>();
        services.AddSingleton<IsolationProbe>();
        services.AddSingleton<SandboxRunner>();
        services.AddSingleton<EvaluationCascade>();
        services.AddSingleton<CandidateEngineer>();
        return services;
    }
}
