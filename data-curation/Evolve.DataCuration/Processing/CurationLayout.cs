using Evolve.DataCuration.Parquet;
using Evolve.Core.IO;

namespace Evolve.DataCuration.Processing;

/// <summary>
/// Where a run's inputs and work files are: the shard listing and the paths under "_curation". Shared by
/// <see cref="CurationRunner"/> and the durable workflow's activities, so both drivers use the same layout.
/// </summary>
public static class CurationLayout
{
    public static string SignatureFolder(string outputDirectory) => Path.Combine(outputDirectory, ShardRecordStore.WorkFolder, "signatures");

    public static string SignaturePath(string outputDirectory, string shard) => Path.Combine(SignatureFolder(outputDirectory), SignatureFileName(shard));

    public static string SignatureFileName(string shard) => shard + ".sig";

    public static string PlanPath(string outputDirectory) => Path.Combine(outputDirectory, ShardRecordStore.WorkFolder, "dedup-plan.json");

    /// <summary>The input shards in ordinal name order (the order deduplication's first-occurrence rule uses).</summary>
    public static IReadOnlyList<string> ListShards(string inputDirectory, ShardFormatOptions format)
    {
        if (!Directory.Exists(inputDirectory))
        {
            throw new DirectoryNotFoundException($"Input folder '{inputDirectory}' does not exist; point --input at the folder holding the shards.");
        }

        var shards = Directory.GetFiles(inputDirectory, format.InputPattern).Order(StringComparer.Ordinal).ToList();
        if (shards.Count == 0)
        {
            throw new InvalidOperationException($"Input folder '{inputDirectory}' has no files matching '{format.InputPattern}'.");
        }

        return shards;
    }

    /// <summary>Temp files a crash left behind; safe to delete because nothing vouches for them.</summary>
    public static void RemoveLeftoverTempFiles(string outputDirectory)
    {
        if (!Directory.Exists(outputDirectory)) return;
        foreach (var temp in Directory.EnumerateFiles(outputDirectory, "*" + AtomicFile.TempSuffix, SearchOption.AllDirectories))
        {
            AtomicFile.TryDelete(temp);
        }
    }
}
