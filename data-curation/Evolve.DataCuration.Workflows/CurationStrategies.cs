using Evolve.DataCuration.Cleaning;

namespace Evolve.DataCuration.Workflows;

/// <summary>
/// The strategies a run can name. Activities resolve the name themselves (a pure function), so inputs stay
/// small and every activity of a run cleans with the same strategy.
/// </summary>
public static class CurationStrategies
{
    /// <summary>The shipped baseline strategy.</summary>
    public const string Builtin = "builtin";

    public static IReadOnlyList<string> Names { get; } = [Builtin];

    public static ICleaningStrategy Resolve(string name) => name switch
    {
        Builtin => BaselineStrategy.Create(),
        _ => throw new ArgumentException(
            $"Unknown curation strategy '{name}'. Allowed values: {string.Join(", ", Names)} (strategy files are not supported yet).", nameof(name)),
    };
}
