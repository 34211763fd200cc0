namespace Evolve.Bench;

/// <summary>What the benchmarks report of repeated measurements.</summary>
internal static class BenchStatistics
{
    /// <summary>The middle value (the mean of the two middle ones for an even count); NaN for none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
