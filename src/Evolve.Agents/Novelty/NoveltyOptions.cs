namespace Evolve.Agents.Novelty;

/// <summary>Settings of the novelty check (section "Agents:Novelty").</summary>
public sealed class NoveltyOptions
{
    /// <summary>
    /// Cosine similarity (over motivation + normalised code) at or above which a candidate is a near duplicate,
    /// unless a novelty judge says otherwise. Allowed: (0, 1]; 1 disables near-duplicate detection (exact only).
    /// </summary>
    public double SimilarityThreshold { get; set; } = 0.95;

    /// <summary>How many of the most similar nodes above the threshold the novelty judge is shown. Allowed: 1 to 20.</summary>
    public int MaxSimilarShown { get; set; } = 3;

    /// <summary>
    /// Offline judge (<see cref="ParameterNoveltyJudge"/>): the smallest relative change of some number that makes a
    /// same-structure program new (0.001 = 0.1%). Allowed: [0, 1).
    /// </summary>
    public double MinRelativeParameterChange { get; set; } = 0.001;

    internal IEnumerable<string> Validate()
    {
        if (!(MinRelativeParameterChange >= 0 && MinRelativeParameterChange < 1))
            yield return $"Agents:Novelty:MinRelativeParameterChange must be in [0, 1) (default 0.001 = 0.1%); got {MinRelativeParameterChange}.";
        if (!(SimilarityThreshold > 0 && SimilarityThreshold <= 1))
            yield return $"Agents:Novelty:SimilarityThreshold must be in (0, 1] (default 0.95; 1 = exact duplicates only); got {SimilarityThreshold}.";
        if (MaxSimilarShown is < 1 or > 20)
            yield return $"Agents:Novelty:MaxSimilarShown must be between 1 and 20; got {MaxSimilarShown}.";
    }
}
