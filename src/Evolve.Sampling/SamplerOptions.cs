using System.Globalization;
using Evolve.Core;

namespace Evolve.Sampling;

/// <summary>Settings of the <c>sampler</c> section; every one of them is used by some sampler.</summary>
public sealed class SamplerOptions
{
    public const string SectionName = "sampler";
    public static readonly IReadOnlyList<string> Kinds = ["ucb1", "greedy", "random", "map-elites"];

    /// <summary>ucb1 | greedy | random | map-elites.</summary>
    public string Kind { get; set; } = "ucb1";
    public ulong Seed { get; set; } = 42;
    /// <summary>Roots come from the top-k ok nodes.</summary>
    public int RootPoolSize { get; set; } = 10;
    /// <summary>Context nodes come from the top-m ok nodes.</summary>
    public int ContextPoolSize { get; set; } = 50;
    /// <summary>Context nodes returned per draw.</summary>
    public int ContextCount { get; set; } = 4;
    /// <summary>Recent failed nodes returned per draw as lessons.</summary>
    public int LessonCount { get; set; } = 3;
    public Ucb1Options Ucb1 { get; set; } = new();
    public MapElitesOptions MapElites { get; set; } = new();

    public SamplerPoolSizes PoolSizes => new(RootPoolSize, ContextPoolSize, LessonCount * 4);

    /// <summary>Every problem found, each naming its key and what is allowed; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var kind = (Kind ?? "").Trim().ToLowerInvariant();
        if (!Kinds.Contains(kind))
            errors.Add($"sampler.kind is '{Kind}'; allowed values: {string.Join(", ", Kinds)}.");
        Positive(errors, "sampler.rootPoolSize", RootPoolSize);
        Positive(errors, "sampler.contextPoolSize", ContextPoolSize);
        NonNegative(errors, "sampler.contextCount", ContextCount);
        NonNegative(errors, "sampler.lessonCount", LessonCount);
        if (!(Ucb1.C >= 0) || !double.IsFinite(Ucb1.C))
            errors.Add($"sampler.ucb1.c is {Ucb1.C.ToString(CultureInfo.InvariantCulture)}; allowed: a finite number >= 0 (default 1.414).");
        if (kind == "map-elites") MapElites.Validate(errors);
        return errors;
    }

    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new SamplerConfigurationException(errors);
    }

    internal string NormalisedKind => (Kind ?? "").Trim().ToLowerInvariant();

    internal static void Positive(List<string> errors, string key, int value)
    {
        if (value < 1) errors.Add($"{key} is {value}; allowed: an integer >= 1.");
    }

    internal static void NonNegative(List<string> errors, string key, int value)
    {
        if (value < 0) errors.Add($"{key} is {value}; allowed: an integer >= 0.");
    }
}

public sealed class Ucb1Options
{
    /// <summary>Exploration constant: larger explores more.</summary>
    public double C { get; set; } = 1.414;
}

public sealed class MapElitesOptions
{
    public int Islands { get; set; } = 4;
    /// <summary>Feature dimensions of the elite grid: "complexity" (code length), "diversity" (distance to the island's code centroid) or any metric name.</summary>
    public List<FeatureDimensionOptions> Dimensions { get; set; } =
    [
        new() { Name = FeatureDimensionOptions.Complexity, Bins = 10, Min = 0, Max = 10_000 },
        new() { Name = FeatureDimensionOptions.Diversity, Bins = 10, Min = 0, Max = 1 },
    ];
    /// <summary>Share of draws whose root is one of the island's top-k elites.</summary>
    public double ExploitationRatio { get; set; } = 0.7;
    /// <summary>Share of draws whose root is any elite of the island's grid; the rest take a top elite of any island.</summary>
    public double ExplorationRatio { get; set; } = 0.2;
    /// <summary>Rounds between ring migrations (island i sends to island i+1); 0 disables migration.</summary>
    public int MigrationInterval { get; set; } = 10;
    /// <summary>Share of an island's (never migrated) elites copied to the next island at each migration.</summary>
    public double MigrationRate { get; set; } = 0.1;

    internal void Validate(List<string> errors)
    {
        SamplerOptions.Positive(errors, "sampler.mapElites.islands", Islands);
        if (Dimensions is null || Dimensions.Count == 0)
            errors.Add($"sampler.mapElites.dimensions is empty; allowed: one or more of {FeatureDimensionOptions.Complexity}, {FeatureDimensionOptions.Diversity} or a metric name.");
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < Dimensions.Count; i++) Dimensions[i].Validate(errors, $"sampler.mapElites.dimensions[{i}]", seen);
            var cells = Dimensions.Aggregate(1L, (product, d) => product * Math.Max(1, d.Bins));
            if (cells > 1_000_000) errors.Add($"sampler.mapElites.dimensions make {cells} cells per island; allowed: at most 1000000 (use fewer bins).");
        }
        Ratio(errors, "sampler.mapElites.exploitationRatio", ExploitationRatio);
        Ratio(errors, "sampler.mapElites.explorationRatio", ExplorationRatio);
        if (ExploitationRatio + ExplorationRatio > 1 + 1e-9)
            errors.Add($"sampler.mapElites.exploitationRatio + explorationRatio is {(ExploitationRatio + ExplorationRatio).ToString(CultureInfo.InvariantCulture)}; allowed: at most 1.");
        SamplerOptions.NonNegative(errors, "sampler.mapElites.migrationInterval", MigrationInterval);
        if (!(MigrationRate > 0 && MigrationRate <= 1))
            errors.Add($"sampler.mapElites.migrationRate is {MigrationRate.ToString(CultureInfo.InvariantCulture)}; allowed: a number in (0, 1].");
    }

    private static void Ratio(List<string> errors, string key, double value)
    {
        if (!(value >= 0 && value <= 1)) errors.Add($"{key} is {value.ToString(CultureInfo.InvariantCulture)}; allowed: a number in [0, 1].");
    }
}

public sealed class FeatureDimensionOptions
{
    public const string Complexity = "complexity";
    public const string Diversity = "diversity";

    public string Name { get; set; } = "";
    public int Bins { get; set; } = 10;
    public double Min { get; set; }
    public double Max { get; set; } = 1;

    internal void Validate(List<string> errors, string key, HashSet<string> seen)
    {
        if (string.IsNullOrWhiteSpace(Name))
            errors.Add($"{key}.name is empty; allowed: {Complexity}, {Diversity} or a metric name.");
        else if (!seen.Add(Name))
            errors.Add($"{key}.name '{Name}' is used twice; each dimension must be distinct.");
        if (Bins < 1 || Bins > 1000) errors.Add($"{key}.bins is {Bins}; allowed: an integer in [1, 1000].");
        if (!double.IsFinite(Min) || !double.IsFinite(Max) || Max <= Min)
            errors.Add($"{key} range is [{Min.ToString(CultureInfo.InvariantCulture)}, {Max.ToString(CultureInfo.InvariantCulture)}]; allowed: finite min < max.");
    }
}

public sealed class SamplerConfigurationException(IReadOnlyList<string> errors)
    : ArgumentException("Invalid sampler settings:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
