using System.Globalization;
using Evolve.Torch.Mixers;
using Evolve.Torch.Model;
using Evolve.Torch.Tasks;
using Evolve.Torch.Training;

namespace Evolve.Bench;

/// <summary>
/// Training throughput of the exploration-stage model (DeltaNet mixer, about 1.8M parameters) on
/// character-level language modelling, with every core of this machine (CUDA when present).
/// </summary>
public sealed class TrainBenchmark : IBenchmark
{
    private const int SequenceLength = 256;
    private const int BatchSize = 8;
    private const int MeasuredSteps = 10;

    public string Name => "train";

    public int Order => 60;

    public async Task<string> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var task = new TextCorpusTask(SequenceLength);
        var trainer = new Trainer();
        TrainingRun Run(int steps) => new(task, ReferenceMixers.DeltaNet(), LanguageModelOptions.Exploration(task.VocabSize),
            new TrainingOptions { Steps = steps, BatchSize = BatchSize, WarmupSteps = 1, EvaluationBatches = 1, EvaluationBatchSize = BatchSize,
                LogEvery = 1, CpuThreads = Environment.ProcessorCount, Seed = 1 });

        // A short run first, so JIT and allocator warm-up stay out of the measured one.
        await trainer.TrainAsync(Run(2), cancellationToken: cancellationToken);
        var progress = new CallbackProgress<TrainingProgress>(p => context.Log.WriteLine($"step {p.Step}/{p.TotalSteps} loss {p.Loss:F3} {p.TokensPerSecond:F0} tok/s"));
        var cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var result = await trainer.TrainAsync(Run(MeasuredSteps), progress, cancellationToken);
        // CPU time per step tells what the step costs when the machine is shared (wall time then mostly measures waiting).
        var cpuPerStep = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / MeasuredSteps;

        context.Log.WriteLine($"train: {result.Parameters:N0} parameters, batch {BatchSize} x {SequenceLength} tokens, {result.Device}, " +
            $"{Environment.ProcessorCount} threads, {cpuPerStep:F0} ms CPU per step (evaluation included), peak memory {result.PeakMemoryBytes / 1e6:F0} MB, final loss {result.FinalTrainLoss:F3}");
        return string.Create(CultureInfo.InvariantCulture,
            $"bench train: tokens_per_s={result.TokensPerSecond:F0} step_ms={result.StepMilliseconds:F1} params={result.Parameters} device={result.Device}");
    }
}
