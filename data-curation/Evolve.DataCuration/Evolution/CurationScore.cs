namespace Evolve.DataCuration.Evolution;

/// <summary>
/// The data-curation task's primary metric (documented in its task.md):
/// <c>curation_score = content_f1 × (0.5 + 0.5 × cleanliness) × speed</c>, where cleanliness is the mean of
/// noise_removed, 1 − pii_leaked and duplicates_removed, and speed = min(1, mb_per_s / floor). Content is a factor,
/// not a term: a strategy that deletes everything removes all noise and still scores 0.
/// </summary>
public static class CurationScore
{
    public const string Metric = "curation_score";

    public static double Cleanliness(IReadOnlyDictionary<string, double> metrics) =>
        (metrics.GetValueOrDefault("noise_removed") + (1 - metrics.GetValueOrDefault("pii_leaked")) + metrics.GetValueOrDefault("duplicates_removed")) / 3;

    public static double Compute(IReadOnlyDictionary<string, double> metrics, double minMegabytesPerSecond)
    {
        var speed = metrics.TryGetValue("mb_per_s", out var rate) && minMegabytesPerSecond > 0 ? Math.Min(1, rate / minMegabytesPerSecond) : 1;
        return metrics.GetValueOrDefault("content_f1") * (0.5 + 0.5 * Cleanliness(metrics)) * speed;
    }
}
