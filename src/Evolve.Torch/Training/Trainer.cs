using System.Diagnostics;
using Evolve.Torch.Model;
using Evolve.Torch.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Evolve.Torch.Training;

/// <summary>
/// Trains the harness language model around a mixer with AdamW and a fixed seed. With a checkpoint
/// directory it saves model, optimiser, RNG state, step and loss curve every K steps and, when
/// started again on the same directory, continues from the newest checkpoint; a resumed run ends
/// with exactly the metrics of an uninterrupted one because each step's batch and learning rate
/// depend only on (seed, step).
/// </summary>
public sealed class Trainer
{
    /// <summary>Runs on a dedicated thread (torch work is synchronous); cancellation is honoured between steps.</summary>
    public Task<TrainingResult> TrainAsync(TrainingRun run, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        run.Validate();
        return Task.Factory.StartNew(() => Train(run, progress, cancellationToken), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private static TrainingResult Train(TrainingRun run, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var options = run.Options;
        TorchRuntime.Initialize(options.CpuThreads);
        var device = TorchRuntime.SelectDevice(options.AllowCuda);
        PeakMemory.Reset();

        torch.manual_seed(options.Seed);
        using var model = new LanguageModel(run.Model, run.Mixer);
        model.to(device);
        using var optimizer = optim.AdamW(model.parameters(), lr: options.LearningRate, weight_decay: options.WeightDecay);
        var store = options.CheckpointDirectory is null ? null : new CheckpointStore(options.CheckpointDirectory);
        string runKey = RunKey(run);

        int startStep = 0;
        var curve = new List<LossPoint>();
        double lastLoss = double.NaN;
        if (store?.Latest() is { } latest)
        {
            if (latest.State.RunKey != runKey)
                throw new InvalidOperationException(
                    $"Checkpoint directory {store.Directory} holds a different run ({latest.State.RunKey}); this run is {runKey}. Use a fresh directory per run.");
            model.load(Path.Combine(latest.Path, CheckpointStore.ModelFile));
            optimizer.load_state_dict(Path.Combine(latest.Path, CheckpointStore.OptimizerFile));
            using (var rng = tensor(File.ReadAllBytes(Path.Combine(latest.Path, CheckpointStore.RngFile)), dtype: ScalarType.Byte))
                torch.set_rng_state(rng);
            startStep = latest.State.Step;
            curve = latest.State.LossCurve;
            lastLoss = latest.State.LastLoss;
        }

        model.train();
        long tokensPerStep = (long)options.BatchSize * run.Task.SequenceLength;
        var clock = Stopwatch.StartNew();
        int stepsThisProcess = 0;
        for (int step = startStep + 1; step <= options.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (var scope = NewDisposeScope())
            {
                foreach (var group in optimizer.ParamGroups) group.LearningRate = LearningRate(options, step);
                var batch = run.Task.Sample(options.BatchSize, StepRandom(options.Seed, step));
                var (inputs, targets) = ToTensors(batch, device);
                using var loss = Loss(model.forward(inputs), targets);
                optimizer.zero_grad();
                loss.backward();
                nn.utils.clip_grad_norm_(model.parameters(), options.GradientClip);
                optimizer.step();
                lastLoss = loss.item<float>();
            }
            stepsThisProcess++;
            if (step % options.LogEvery == 0 || step == options.Steps)
            {
                curve.Add(new LossPoint(step, lastLoss));
                progress?.Report(new TrainingProgress(step, options.Steps, lastLoss,
                    stepsThisProcess * tokensPerStep / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), startStep));
            }
            if (store != null && (step % options.CheckpointEvery == 0 || step == options.Steps))
            {
                var state = new CheckpointState(step, runKey, curve, lastLoss);
                store.Save(state, directory =>
                {
                    model.save(Path.Combine(directory, CheckpointStore.ModelFile));
                    optimizer.save_state_dict(Path.Combine(directory, CheckpointStore.OptimizerFile));
                    using var rng = torch.get_rng_state();
                    File.WriteAllBytes(Path.Combine(directory, CheckpointStore.RngFile), rng.data<byte>().ToArray());
                });
            }
        }
        clock.Stop();

        var (evalLoss, evalAccuracy) = Evaluate(model, run, device);
        double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        return new TrainingResult(
            run.Task.Name, options.Steps, startStep, lastLoss, evalLoss, evalAccuracy, run.Task.ChanceAccuracy, curve,
            model.ParameterCount,
            stepsThisProcess == 0 ? 0 : stepsThisProcess * tokensPerStep / seconds,
            stepsThisProcess == 0 ? 0 : clock.Elapsed.TotalMilliseconds / stepsThisProcess,
            PeakMemory.Read(), device.type.ToString().ToLowerInvariant());
    }

    /// <summary>Mean loss and accuracy at the scored positions of fresh batches from the evaluation stream.</summary>
    public static (double Loss, double Accuracy) Evaluate(LanguageModel model, TrainingRun run, Device device)
    {
        model.eval();
        using var noGrad = no_grad();
        var random = new Random(MixSeed(run.Options.Seed, -1));
        double lossSum = 0, correct = 0, scored = 0;
        for (int i = 0; i < run.Options.EvaluationBatches; i++)
        {
            using var scope = NewDisposeScope();
            var batch = run.Task.SampleEvaluation(run.Options.EvaluationBatchSize, random);
            var (inputs, targets) = ToTensors(batch, device);
            var logits = model.forward(inputs);
            var mask = targets.ne(SequenceBatch.IgnoreTarget);
            long count = mask.sum().item<long>();
            lossSum += Loss(logits, targets).item<float>() * count;
            correct += logits.argmax(-1).eq(targets).logical_and(mask).sum().item<long>();
            scored += count;
        }
        model.train();
        return (lossSum / Math.Max(scored, 1), correct / Math.Max(scored, 1));
    }

    private static Tensor Loss(Tensor logits, Tensor targets) =>
        nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1), ignore_index: SequenceBatch.IgnoreTarget);

    private static (Tensor Inputs, Tensor Targets) ToTensors(SequenceBatch batch, Device device) =>
        (tensor(batch.Inputs, [batch.BatchSize, batch.SequenceLength], device: device),
         tensor(batch.Targets, [batch.BatchSize, batch.SequenceLength], device: device));

    private static double LearningRate(TrainingOptions options, int step)
    {
        if (step <= options.WarmupSteps) return options.LearningRate * step / options.WarmupSteps;
        double progress = (double)(step - options.WarmupSteps) / Math.Max(1, options.Steps - options.WarmupSteps);
        return options.LearningRate * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }

    /// <summary>The data stream of one step: a function of (seed, step) only, so resuming needs no data-loader state.</summary>
    private static Random StepRandom(long seed, int step) => new(MixSeed(seed, step));

    private static int MixSeed(long seed, long stream)
    {
        // SplitMix64 finaliser: nearby (seed, stream) pairs give unrelated generators.
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)stream * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }

    private static string RunKey(TrainingRun run) =>
        $"task={run.Task.Name};vocab={run.Task.VocabSize};T={run.Task.SequenceLength};model={run.Model};seed={run.Options.Seed};steps={run.Options.Steps};batch={run.Options.BatchSize};lr={run.Options.LearningRate}";
}
