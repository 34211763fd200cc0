using Evolve.Torch.Mixers;
using Evolve.Torch.Model;
using Evolve.Torch.Tasks;

namespace Evolve.Torch.Training;

/// <summary>Hyperparameters and durability settings of one training run.</summary>
public sealed record TrainingOptions
{
    public int Steps { get; init; } = 300;
    public int BatchSize { get; init; } = 16;
    public double LearningRate { get; init; } = 3e-3;
    public double WeightDecay { get; init; } = 0.1;
    /// <summary>Linear warm-up, then cosine decay to 10% over the remaining steps.</summary>
    public int WarmupSteps { get; init; } = 20;
    public double GradientClip { get; init; } = 1.0;
    public long Seed { get; init; }
    /// <summary>Where checkpoints go (the node's artifact directory); null trains without them.</summary>
    public string? CheckpointDirectory { get; init; }
    public int CheckpointEvery { get; init; } = 100;
    /// <summary>How often the loss curve gets a point and progress is reported.</summary>
    public int LogEvery { get; init; } = 10;
    public int EvaluationBatches { get; init; } = 4;
    public int EvaluationBatchSize { get; init; } = 32;
    public int CpuThreads { get; init; } = 1;
    public bool AllowCuda { get; init; } = true;

    public void Validate()
    {
        void Positive(int value, string name)
        {
            if (value < 1) throw new ArgumentException($"Training option {name} must be at least 1 (got {value}).");
        }
        Positive(Steps, nameof(Steps));
        Positive(BatchSize, nameof(BatchSize));
        Positive(CheckpointEvery, nameof(CheckpointEvery));
        Positive(LogEvery, nameof(LogEvery));
        Positive(EvaluationBatches, nameof(EvaluationBatches));
        Positive(EvaluationBatchSize, nameof(EvaluationBatchSize));
        Positive(CpuThreads, nameof(CpuThreads));
        if (!(LearningRate > 0)) throw new ArgumentException($"Training option LearningRate must be positive (got {LearningRate}).");
        if (WarmupSteps < 0) throw new ArgumentException($"Training option WarmupSteps must not be negative (got {WarmupSteps}).");
    }
}

/// <summary>Everything that defines a training run: the task, the model around the mixer, the options.</summary>
public sealed record TrainingRun(ISequenceTask Task, MixerFactory Mixer, LanguageModelOptions Model, TrainingOptions Options)
{
    /// <summary>Builds the run with the model's vocabulary taken from the task.</summary>
    public static TrainingRun For(ISequenceTask task, MixerFactory mixer, TrainingOptions options, int dim = 192, int layers = 4, int mlpRatio = 4) =>
        new(task, mixer, new LanguageModelOptions(task.VocabSize, dim, layers, mlpRatio), options);

    public void Validate()
    {
        Model.Validate();
        Options.Validate();
        if (Model.VocabSize < Task.VocabSize)
            throw new ArgumentException($"Model vocabulary {Model.VocabSize} is smaller than task '{Task.Name}' needs ({Task.VocabSize}).");
    }
}

/// <param name="TokensPerSecond">Training throughput since this process started (or resumed) the run.</param>
/// <param name="ResumedFromStep">The checkpoint step this process started from (0 when fresh).</param>
public sealed record TrainingProgress(int Step, int TotalSteps, double Loss, double TokensPerSecond, int ResumedFromStep);

public sealed record LossPoint(int Step, double Loss);

/// <summary>Final metrics of a run. Loss and accuracy figures are deterministic for a seed; speed and memory are not.</summary>
/// <param name="EvaluationAccuracy">Accuracy at the task's scored positions on fresh evaluation batches.</param>
/// <param name="PeakMemoryBytes">Peak resident memory of the process while this run trained.</param>
public sealed record TrainingResult(
    string Task,
    int Steps,
    int ResumedFromStep,
    double FinalTrainLoss,
    double EvaluationLoss,
    double EvaluationAccuracy,
    double ChanceAccuracy,
    IReadOnlyList<LossPoint> LossCurve,
    long Parameters,
    double TokensPerSecond,
    double StepMilliseconds,
    long PeakMemoryBytes,
    string Device);
