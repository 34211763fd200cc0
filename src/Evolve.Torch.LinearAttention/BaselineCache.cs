using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Evolve.Torch.Jobs;
using Microsoft.Extensions.Logging;

namespace Evolve.Torch.LinearAttention;

/// <summary>
/// The DeltaNet baseline's metrics per training configuration: trained once (by the worker, resuming from its own
/// checkpoints if interrupted) under a cross-process lock, then read by every candidate evaluated with the same
/// settings. The folder name is a hash of the settings, so a changed budget or seed never reuses a stale baseline.
/// </summary>
public sealed class BaselineCache(LinearAttentionOptions options, WorkerLauncher launcher, ILogger<BaselineCache> logger)
{
    private const string ResultFile = "baseline.json";

    public async Task<IReadOnlyList<BenchmarkOutcome>> GetAsync(TrainingStageSettings settings, CancellationToken cancellationToken)
    {
        string directory = Path.Combine(Path.GetFullPath(options.BaselineDirectory), Key(settings));
        string resultPath = Path.Combine(directory, ResultFile);
        if (TryRead(resultPath) is { } cached) return cached;

        Directory.CreateDirectory(directory);
        await using var held = await AcquireAsync(Path.Combine(directory, ".lock"), cancellationToken).ConfigureAwait(false);
        if (TryRead(resultPath) is { } computedMeanwhile) return computedMeanwhile;

        logger.LogInformation("Training the DeltaNet baseline for {Benchmarks} into {Directory}", string.Join(", ", settings.Benchmarks.Select(b => b.Name)), directory);
        File.WriteAllText(Path.Combine(directory, "settings.json"), JsonSerializer.Serialize(settings, WorkerJson.Options));
        var run = await launcher.RunAsync(
            new WorkerRequest(WorkerRequest.TrainMode, MixerSource.Baseline, Path.Combine(directory, "state"), resultPath, "baseline", Training: settings),
            directory, options.BaselineTimeout, cancellationToken).ConfigureAwait(false);
        if (run.TimedOut)
            throw new TimeoutException($"Training the DeltaNet baseline ran past {options.BaselineTimeout}; raise LinearAttentionOptions.BaselineTimeout (it resumes from its checkpoints in {directory}).");
        if (run.ExitCode != 0 || run.Response?.Benchmarks is not { } benchmarks)
            throw new InvalidOperationException($"Training the DeltaNet baseline failed: {run.Response?.Error ?? run.Describe()}");
        return benchmarks;
    }

    /// <summary>Stable short hash of the settings' JSON.</summary>
    public static string Key(TrainingStageSettings settings)
    {
        var json = JsonSerializer.Serialize(settings with { Training = settings.Training with { CheckpointDirectory = null } }, WorkerJson.Options);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16];
    }

    private static IReadOnlyList<BenchmarkOutcome>? TryRead(string path) =>
        File.Exists(path) ? WorkerJson.Read<WorkerResponse>(path).Benchmarks : null;

    /// <summary>An exclusive lock file (FileShare.None takes an advisory lock on Unix): one trainer per configuration across processes.</summary>
    private static async Task<FileStream> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
