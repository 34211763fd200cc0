namespace Evolve.Agents.Offline;

/// <summary>Settings of the offline researcher (section "Agents:Offline").</summary>
public sealed class OfflineResearcherOptions
{
    /// <summary>Typical relative change of a perturbed literal (0.04 = about 4% of its magnitude). Allowed: (0, 1].</summary>
    public double RelativeNoise { get; set; } = 0.04;

    /// <summary>Most literals changed in one round, as a fraction of the tunable ones (at least one). Allowed: (0, 1].</summary>
    public double MaxMutatedFraction { get; set; } = 0.2;

    /// <summary>Chance of a crossover when a context node has the same literal structure as the root. Allowed: [0, 1].</summary>
    public double CrossoverProbability { get; set; } = 0.5;

    /// <summary>How many individual changes the motivation lists before summarising the rest. Allowed: 1 to 100.</summary>
    public int MotivationMaxChanges { get; set; } = 6;

    internal IEnumerable<string> Validate()
    {
        if (!(RelativeNoise > 0 && RelativeNoise <= 1))
            yield return $"Agents:Offline:RelativeNoise must be in (0, 1] (e.g. 0.04 for ~4%); got {RelativeNoise}.";
        if (!(MaxMutatedFraction > 0 && MaxMutatedFraction <= 1))
            yield return $"Agents:Offline:MaxMutatedFraction must be in (0, 1]; got {MaxMutatedFraction}.";
        if (!(CrossoverProbability >= 0 && CrossoverProbability <= 1))
            yield return $"Agents:Offline:CrossoverProbability must be in [0, 1]; got {CrossoverProbability}.";
        if (MotivationMaxChanges is < 1 or > 100)
            yield return $"Agents:Offline:MotivationMaxChanges must be between 1 and 100; got {MotivationMaxChanges}.";
    }
}
