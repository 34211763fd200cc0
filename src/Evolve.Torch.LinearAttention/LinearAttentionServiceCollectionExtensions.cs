using Evolve.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Evolve.Torch.LinearAttention;

public static class LinearAttentionServiceCollectionExtensions
{
    /// <summary>
    /// Registers the linear-attention evaluator (`evaluator: { builtin: linear-attention }`), its worker launcher
    /// and baseline cache. The task folder ships as BuiltIn/linear-attention beside the application.
    /// Needs an ILogger&lt;T&gt; registration (AddLogging) in the container.
    /// </summary>
    public static IServiceCollection AddLinearAttentionTask(this IServiceCollection services, Action<LinearAttentionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new LinearAttentionOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(options);
        services.TryAddSingleton<WorkerLauncher>();
        services.TryAddSingleton<BaselineCache>();
        services.TryAddSingleton<LinearAttentionEvaluator>();
        return services.AddTaskEvaluator(LinearAttentionContract.Name, sp => sp.GetRequiredService<LinearAttentionEvaluator>());
    }
}
