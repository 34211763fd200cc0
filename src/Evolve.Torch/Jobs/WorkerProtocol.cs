using System.Text.Json;
using Evolve.Core.IO;
using System.Text.Json.Serialization;
using Evolve.Torch.Checks;
using Evolve.Torch.Training;

namespace Evolve.Torch.Jobs;

/// <summary>
/// What the training worker (Evolve.Torch.Worker) is asked to do, written as JSON by the evaluator. The worker runs
/// in its own process so a native crash, a runaway allocation or a SIGKILL of training never takes the host down.
/// </summary>
/// <param name="Mode"><see cref="CheckMode"/> or <see cref="TrainMode"/>.</param>
/// <param name="Mixer">The mixer to check or train: a compiled candidate, or the DeltaNet baseline.</param>
/// <param name="StateDirectory">Checkpoints and finished per-benchmark results; survives retries, so a rerun resumes.</param>
/// <param name="ResultPath">Where the worker writes its <see cref="WorkerResponse"/> (temp file, then rename).</param>
/// <param name="Label">Prefix of progress lines ("candidate", "baseline").</param>
/// <param name="Checks">Settings of the check mode.</param>
/// <param name="Training">Settings of the train mode.</param>
public sealed record WorkerRequest(
    string Mode,
    MixerSource Mixer,
    string StateDirectory,
    string ResultPath,
    string Label,
    CheckSettings? Checks = null,
    TrainingStageSettings? Training = null)
{
    public const string CheckMode = "check";
    public const string TrainMode = "train";
}

/// <summary>Where the mixer comes from: a candidate assembly and its entry point, or (all null) the DeltaNet baseline.</summary>
public sealed record MixerSource(string? AssemblyPath, string? EntryType, string? EntryMethod)
{
    public static MixerSource Baseline { get; } = new(null, null, null);

    [JsonIgnore]
    public bool IsBaseline => AssemblyPath is null;
}

/// <summary>The static checks of a stage.</summary>
/// <param name="Options">Sizes and bounds of <see cref="MixerChecks"/>.</param>
/// <param name="MaxParametersVsDeltaNet">When set, the parameter bound becomes this multiple of DeltaNet's count at the same width (overriding Options.MaxParameters).</param>
public sealed record CheckSettings(MixerCheckOptions Options, double? MaxParametersVsDeltaNet = null);

/// <summary>A training stage: the same model and budget for every benchmark, candidate and baseline alike.</summary>
public sealed record TrainingStageSettings
{
    public IReadOnlyList<BenchmarkSpec> Benchmarks { get; init; } = [];
    public int Dim { get; init; } = 192;
    public int Layers { get; init; } = 4;
    public int MlpRatio { get; init; } = 4;
    /// <summary>Optimiser, budget and seed; its CheckpointDirectory is set per benchmark by the worker.</summary>
    public TrainingOptions Training { get; init; } = new();

    public void Validate()
    {
        if (Benchmarks.Count == 0) throw new ArgumentException("A training stage needs at least one benchmark.");
        var duplicate = Benchmarks.GroupBy(b => b.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Benchmark '{duplicate.Key}' is listed twice in one stage.");
        foreach (var benchmark in Benchmarks) benchmark.Create();
        new Model.LanguageModelOptions(2, Dim, Layers, MlpRatio).Validate();
        Training.Validate();
    }
}

/// <summary>What the worker reports.</summary>
/// <param name="Error">Why the mixer could not be built or run at all (entry point missing, it threw, …); null otherwise.</param>
/// <param name="Checks">Check results in order (check mode); the first failed one says why.</param>
/// <param name="Benchmarks">Per-benchmark training results (train mode).</param>
public sealed record WorkerResponse(string? Error, IReadOnlyList<CheckResult>? Checks = null, IReadOnlyList<BenchmarkOutcome>? Benchmarks = null);

public sealed record BenchmarkOutcome(string Benchmark, TrainingResult Result);

/// <summary>JSON settings shared by the evaluator and the worker, and the atomic write both use.</summary>
public static class WorkerJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static T Read<T>(string path) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options)
        ?? throw new InvalidDataException($"{path} holds JSON null instead of a {typeof(T).Name}.");

    /// <summary>Writes to a temporary file, flushes it and renames it over <paramref name="path"/>: readers see all or nothing.</summary>
    public static void WriteAtomically<T>(string path, T value) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, value, Options));
}
