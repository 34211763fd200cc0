using Evolve.Core.Evaluation;
using Evolve.Tasks.Evaluators;

namespace Evolve.Tasks;

/// <summary>The trusted evaluators that ship with Evolve, by the name task.yaml uses (`evaluator: { builtin: NAME }`).</summary>
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
