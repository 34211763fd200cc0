namespace Evolve.DataCuration.Evolution;

/// <summary>Settings of the data-curation task's in-loop evaluation.</summary>
public sealed class DataCurationTaskOptions
{
    /// <summary>Where generated evaluation samples are kept between evaluations (default: evolve-curation-samples in the temp folder).</summary>
    public string SampleCacheDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "evolve-curation-samples");

    /// <summary>Seed of the held sample; fixed, so every candidate is judged on the same documents.</summary>
    public int Seed { get; set; } = 5_2026;

    /// <summary>Sample of the first ("quick") stage.</summary>
    public SampleSize Quick { get; set; } = new(Shards: 2, DocumentsPerShard: 150);

    /// <summary>Sample of every later stage.</summary>
    public SampleSize Full { get; set; } = new(Shards: 4, DocumentsPerShard: 400);

    /// <summary>Below this throughput (UTF-8 MB of input text per second) the score is scaled down proportionally.</summary>
    public double MinMegabytesPerSecond { get; set; } = 0.2;

    /// <summary>Before/after pairs an LLM judge rates in the last stage (only when an IChatClient is registered).</summary>
    public int JudgePairs { get; set; } = 6;

    /// <summary>Characters of each text shown to the judge.</summary>
    public int JudgeMaxCharacters { get; set; } = 1500;
}

/// <param name="Shards">Shard files in the sample.</param>
/// <param name="DocumentsPerShard">Documents per shard.</param>
public sealed record SampleSize(int Shards, int DocumentsPerShard);
