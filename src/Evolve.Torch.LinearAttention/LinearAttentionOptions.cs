using Evolve.Torch.Checks;
using Evolve.Torch.Jobs;
using Evolve.Torch.Training;

namespace Evolve.Torch.LinearAttention;

/// <summary>What a candidate of the linear-attention task must define; task.yaml and task.md say the same.</summary>
public static class LinearAttentionContract
{
    /// <summary>The evaluator's name in task.yaml (`evaluator: { builtin: linear-attention }`) and the task's name.</summary>
    public const string Name = "linear-attention";

    /// <summary>`public static class LinearAttention { public static MixerFactory Create() }`.</summary>
    public const string EntryType = "LinearAttention";

    public const string EntryMethod = "Create";
}

/// <summary>One stage of the task: static checks, or training against the DeltaNet baseline (exactly one of the two).</summary>
public sealed record LinearAttentionStage(CheckSettings? Checks = null, TrainingStageSettings? Training = null);

/// <summary>Settings of the linear-attention evaluator, by stage name (the names task.yaml uses).</summary>
public sealed class LinearAttentionOptions
{
    /// <summary>Stage name → what the stage does. Defaults: <see cref="ExplorationStages"/>.</summary>
    public Dictionary<string, LinearAttentionStage> Stages { get; } = ExplorationStages();

    /// <summary>
    /// Where the DeltaNet baseline's metrics (and its checkpoints while it trains) are kept, one folder per stage
    /// configuration, shared by every candidate: the baseline is trained once per configuration.
    /// </summary>
    public string BaselineDirectory { get; set; } = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
        "evolve", "linear-attention", "baselines");

    /// <summary>Wall-clock limit of training the baseline for one configuration (it is not charged to a candidate).</summary>
    public TimeSpan BaselineTimeout { get; set; } = TimeSpan.FromHours(6);

    /// <summary>The worker (Evolve.Torch.Worker.dll); defaults to the copy beside this assembly.</summary>
    public string? WorkerPath { get; set; }

    /// <summary>The `dotnet` host that runs the worker; found automatically when null.</summary>
    public string? DotnetPath { get; set; }

    /// <summary>Replaces the stages with <see cref="TinyStages"/>: seconds per stage, for tests and smoke campaigns.</summary>
    public LinearAttentionOptions UseTinyStages()
    {
        Stages.Clear();
        foreach (var (name, stage) in TinyStages()) Stages[name] = stage;
        return this;
    }

    /// <summary>
    /// Tiny sizes (seconds per stage on a CPU): checks at width 32; quick = MQAR with 4 pairs in 24 tokens, 100 steps
    /// of a 2-block width-64 model (DeltaNet reaches well above chance); full = MQAR and LM at 32 tokens, 30 steps.
    /// </summary>
    public static Dictionary<string, LinearAttentionStage> TinyStages()
    {
        var training = new TrainingOptions
        {
            Steps = 100, BatchSize = 16, LearningRate = 3e-3, Seed = 1, WarmupSteps = 10, CheckpointEvery = 10, LogEvery = 10,
            EvaluationBatches = 2, EvaluationBatchSize = 32, CpuThreads = 1,
        };
        return new Dictionary<string, LinearAttentionStage>(StringComparer.Ordinal)
        {
            ["checks"] = new(Checks: new CheckSettings(new MixerCheckOptions { Dim = 32, ProbeLength = 40 }, MaxParametersVsDeltaNet: 3)),
            ["quick"] = new(Training: new TrainingStageSettings
            {
                Benchmarks = [new("mqar", 24, Size: 4, Vocab: 16)], Dim = 64, Layers = 2, MlpRatio = 2, Training = training,
            }),
            ["full"] = new(Training: new TrainingStageSettings
            {
                Benchmarks = [new("mqar", 32, Size: 4, Vocab: 16), new("lm", 32, Size: 4000)], Dim = 32, Layers = 1, MlpRatio = 2,
                Training = training with { Steps = 30, BatchSize = 8, CheckpointEvery = 15 },
            }),
        };
    }

    /// <summary>
    /// The exploration sizes on a CPU (model ~1.8M parameters): checks at width 64; quick = MQAR and character LM
    /// at 64 tokens for 300 steps; full = MQAR at two sizes, selective copying, induction heads and LM, 1000 steps.
    /// </summary>
    public static Dictionary<string, LinearAttentionStage> ExplorationStages()
    {
        var training = new TrainingOptions
        {
            BatchSize = 16, LearningRate = 3e-3, Seed = 1, CheckpointEvery = 50, LogEvery = 25,
            CpuThreads = Math.Clamp(Environment.ProcessorCount, 1, 8),
        };
        return new Dictionary<string, LinearAttentionStage>(StringComparer.Ordinal)
        {
            ["checks"] = new(Checks: new CheckSettings(new MixerCheckOptions { Dim = 64, ProbeLength = 96, CostLength = 512, MaxCostExponent = 1.5 }, MaxParametersVsDeltaNet: 3)),
            ["quick"] = new(Training: new TrainingStageSettings
            {
                Benchmarks = [new("mqar", 64, Size: 8), new("lm", 64)],
                Training = training with { Steps = 300 },
            }),
            ["full"] = new(Training: new TrainingStageSettings
            {
                Benchmarks = [new("mqar", 128, Size: 8), new("mqar", 256, Size: 16), new("selective_copy", 128, Size: 16), new("induction", 128), new("lm", 256)],
                Training = training with { Steps = 1000, CheckpointEvery = 100, WarmupSteps = 50 },
            }),
        };
    }
}
