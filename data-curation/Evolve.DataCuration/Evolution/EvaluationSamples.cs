using Evolve.DataCuration.Synthetic;

namespace Evolve.DataCuration.Evolution;

/// <summary>
/// The held samples candidates are judged on: generated shards with ground truth, made once per (seed, size) and
/// then reused by every evaluation. Generated into a temporary folder and renamed, so a crash or a concurrent
/// evaluation never sees half a sample.
/// </summary>
public sealed class EvaluationSamples(DataCurationTaskOptions options)
{
    // Bump when the generator's output changes, so old cached samples are not mixed with new ground truth.
    private const string Version = "v1";

    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>The folder of the sample of <paramref name="size"/> (shards plus _truth/).</summary>
    public async Task<string> GetAsync(SampleSize size, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(options.SampleCacheDirectory, $"seed{options.Seed}-{size.Shards}x{size.DocumentsPerShard}-{Version}");
        if (Directory.Exists(folder)) return folder;
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (Directory.Exists(folder)) return folder;
            var temp = folder + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
            try
            {
                await new SyntheticCorpusGenerator().GenerateAsync(temp,
                    new SyntheticCorpusOptions(size.Shards, size.DocumentsPerShard, options.Seed, RowGroupSize: 100), cancellationToken);
                Directory.Move(temp, folder);
            }
            catch (IOException) when (Directory.Exists(folder))
            {
                // Another process published the same sample first; it is identical (same seed and size).
            }
            finally
            {
                if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            }

            return folder;
        }
        finally
        {
            gate.Release();
        }
    }
}
