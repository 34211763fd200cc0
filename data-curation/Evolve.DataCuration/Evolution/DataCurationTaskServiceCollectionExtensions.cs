using System.Text.Json;
using Evolve.DataCuration.Strategies;
using Evolve.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Evolve.DataCuration.Evolution;

public static class DataCurationTaskServiceCollectionExtensions
{
    /// <summary>
    /// Makes the data-curation task runnable: registers its evaluator as <c>evaluator: { builtin: data-curation }</c>
    /// (the task folder itself ships beside the application as BuiltIn/data-curation). When an
    /// <see cref="IChatClient"/> is registered, the evaluator's last stage also asks it to judge before/after pairs.
    /// </summary>
    public static IServiceCollection AddDataCurationTask(this IServiceCollection services, Action<DataCurationTaskOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new DataCurationTaskOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(options);
        services.TryAddSingleton<EvaluationSamples>();
        services.TryAddSingleton(sp => sp.GetService<IChatClient>() is { } chat ? CreateJudge(chat, sp) : OptionalJudge.None);
        services.AddLogging();
        return services.AddTaskEvaluator(DataCurationTaskFolder.EvaluatorName, sp => new DataCurationEvaluator(
            sp.GetRequiredService<DataCurationTaskOptions>(),
            sp.GetRequiredService<EvaluationSamples>(),
            sp.GetRequiredService<OptionalJudge>().Judge,
            sp.GetRequiredService<ILoggerFactory>()));
    }

    private static OptionalJudge CreateJudge(IChatClient chat, IServiceProvider services)
    {
        var judge = new CurationJudge(chat, services.GetRequiredService<ILogger<CurationJudge>>());
        judge.AddKnownIssues(SeedPriors());
        return new OptionalJudge(judge);
    }

    /// <summary>The task's seed cognition: what is already known is not news.</summary>
    private static IEnumerable<string> SeedPriors()
    {
        var path = Path.Combine(DataCurationTaskFolder.Directory, "cognition.jsonl");
        if (!File.Exists(path)) yield break;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0) continue;
            using var item = JsonDocument.Parse(line);
            if (item.RootElement.TryGetProperty("content", out var content) && content.GetString() is { } text) yield return text;
        }
    }

    /// <summary>The judge, or none when no chat client is registered (DI cannot hold a null singleton).</summary>
    internal sealed record OptionalJudge(CurationJudge? Judge)
    {
        public static readonly OptionalJudge None = new((CurationJudge?)null);
    }
}
