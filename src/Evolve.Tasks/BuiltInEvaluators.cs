using Evolve.Core.Evaluation;
using Evolve.Tasks.Evaluators;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Evolve.Tasks;

/// <summary>The trusted evaluators that ship with Evolve.Tasks itself, by the name task.yaml uses (`evaluator: { builtin: NAME }`).</summary>
public static class BuiltInEvaluators
{
    private static readonly Dictionary<string, Func<ICandidateEvaluator>> Factories = new(StringComparer.Ordinal)
    {
        [CirclePackingEvaluator.EvaluatorName] = () => new CirclePackingEvaluator(),
    };

    public static IReadOnlyList<string> Names { get; } = Factories.Keys.Order(StringComparer.Ordinal).ToList();

    public static ICandidateEvaluator Create(string name) =>
        Factories.TryGetValue(name, out var factory)
            ? factory()
            : throw new ArgumentException($"Unknown built-in evaluator '{name}'. Allowed: {string.Join(", ", Names)}.", nameof(name));
}

/// <summary>A trusted evaluator another project contributes (a task shipped with data curation, TorchSharp, …).</summary>
/// <param name="Name">The name task.yaml uses (`evaluator: { builtin: NAME }`).</param>
/// <param name="Factory">Creates the evaluator; called once per stage evaluation.</param>
public sealed record TaskEvaluatorRegistration(string Name, Func<IServiceProvider, ICandidateEvaluator> Factory);

/// <summary>
/// Every evaluator this application knows: the built-in ones plus those registered with
/// <see cref="TasksServiceCollectionExtensions.AddTaskEvaluator"/>.
/// </summary>
public sealed class EvaluatorRegistry
{
    private readonly Dictionary<string, Func<ICandidateEvaluator>> _factories = new(StringComparer.Ordinal);

    /// <summary>Only the evaluators of Evolve.Tasks.</summary>
    public EvaluatorRegistry() : this([], null) { }

    public EvaluatorRegistry(IEnumerable<TaskEvaluatorRegistration> registrations, IServiceProvider? services)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        foreach (var name in BuiltInEvaluators.Names) _factories[name] = () => BuiltInEvaluators.Create(name);
        foreach (var registration in registrations)
        {
            if (!_factories.TryAdd(registration.Name, () => registration.Factory(services!)))
            {
                throw new InvalidOperationException($"Two evaluators are registered as '{registration.Name}'; evaluator names must be unique.");
            }
        }
        Names = _factories.Keys.Order(StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<string> Names { get; }

    public ICandidateEvaluator Create(string name) =>
        _factories.TryGetValue(name, out var factory)
            ? factory()
            : throw new ArgumentException($"Unknown evaluator '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));
}

public static class TasksServiceCollectionExtensions
{
    /// <summary>Registers the <see cref="EvaluatorRegistry"/> and a <see cref="TaskCatalog"/> that accepts its evaluators.</summary>
    public static IServiceCollection AddEvolveTasks(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new EvaluatorRegistry(sp.GetServices<TaskEvaluatorRegistration>(), sp));
        services.TryAddSingleton(sp => new TaskCatalog(evaluators: sp.GetRequiredService<EvaluatorRegistry>()));
        return services;
    }

    /// <summary>Makes a trusted evaluator available to task.yaml files as `evaluator: { builtin: NAME }`.</summary>
    public static IServiceCollection AddTaskEvaluator(this IServiceCollection services, string name, Func<IServiceProvider, ICandidateEvaluator> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        services.AddSingleton(new TaskEvaluatorRegistration(name, factory));
        return services.AddEvolveTasks();
    }
}
