namespace Evolve.Agents.Llm;

/// <summary>
/// Picks the researcher's model for a round by weight, as a pure function of (seed, round): a replayed or retried round
/// asks the same model, and the share of rounds per model follows the weights.
/// </summary>
public static class ResearcherModelChooser
{
    public static LlmEndpointSettings Choose(LlmOptions options, long seed, long round)
    {
        ArgumentNullException.ThrowIfNull(options);
        var researcher = options.For(LlmAgentKind.Researcher);
        var models = options.Researcher.Models;
        if (models.Count == 0) return researcher;
        var total = models.Sum(m => m.Weight);
        var point = UnitInterval(seed, round) * total;
        foreach (var model in models)
        {
            point -= model.Weight;
            if (point < 0) return model.Settings.Over(researcher);
        }
        return models[^1].Settings.Over(researcher);
    }

    /// <summary>SplitMix64 of the pair, mapped to [0, 1): fixed across runtimes, unlike <see cref="Random"/>.</summary>
    internal static double UnitInterval(long seed, long round)
    {
        var z = Mix((ulong)seed ^ Mix((ulong)round + 0x9E3779B97F4A7C15UL) ^ 0x6C6C6D5F6D6F6465UL);
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
