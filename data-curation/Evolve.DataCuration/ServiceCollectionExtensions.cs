using Evolve.DataCuration.Parquet;
using Evolve.DataCuration.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Evolve.DataCuration;

public static class ServiceCollectionExtensions
{
    /// <summary>Registers the shard format options and every curation step (signatures, plan, shard curator, runner, generator, evaluator).</summary>
    public static IServiceCollection AddDataCuration(this IServiceCollection services, Action<ShardFormatOptions>? configure = null)
    {
        var format = new ShardFormatOptions();
        configure?.Invoke(format);
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.AddSingleton(format);
        services.AddSingleton<ShardCurator>();
        services.AddSingleton<CurationRunner>();
        services.AddSingleton<Deduplication.SignatureBuilder>();
        services.AddSingleton<Deduplication.DuplicatePlanner>();
        services.AddSingleton<Synthetic.SyntheticCorpusGenerator>();
        services.AddSingleton<Evaluation.CurationEvaluator>();
        return services;
    }
}
