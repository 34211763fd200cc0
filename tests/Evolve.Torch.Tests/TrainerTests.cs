using Evolve.Torch.Mixers;
using Evolve.Torch.Tasks;
using Evolve.Torch.Training;
using Xunit.Abstractions;

namespace Evolve.Torch.Tests;

public class TrainerTests(ITestOutputHelper output) : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("evolve-torch-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task DeltaNet_learns_a_tiny_MQAR_well_above_chance()
    {
        var task = new MqarTask(pairs: 4, sequenceLength: 24, keyVocab: 16, valueVocab: 16);
        var run = TrainingRun.For(task, ReferenceMixers.DeltaNet(new DeltaNetOptions(Heads: 2, ChunkSize: 8)),
            new TrainingOptions { Steps = 150, BatchSize = 32, LearningRate = 3e-3, Seed = 1, LogEvery = 50 },
            dim: 64, layers: 2, mlpRatio: 2);
        var progress = new List<TrainingProgress>();
        var result = await new Trainer().TrainAsync(run, new CallbackProgress<TrainingProgress>(progress.Add));

        output.WriteLine($"accuracy {result.EvaluationAccuracy:P1} (chance {result.ChanceAccuracy:P1}), loss {result.EvaluationLoss:F3}, " +
            $"{result.Parameters} params, {result.TokensPerSecond:F0} tok/s, peak {result.PeakMemoryBytes / 1e6:F0} MB");
        Assert.True(result.EvaluationAccuracy > 5 * result.ChanceAccuracy, $"accuracy {result.EvaluationAccuracy:P1} vs chance {result.ChanceAccuracy:P1}");
        Assert.True(result.LossCurve[^1].Loss < result.LossCurve[0].Loss);
        Assert.Equal([50, 100, 150], progress.Select(p => p.Step));
        Assert.All(progress, p => Assert.True(p.TokensPerSecond > 0));
    }

    [Fact]
    public async Task A_run_stopped_after_a_checkpoint_resumes_there_and_ends_exactly_like_an_uninterrupted_run()
    {
        var options = new TrainingOptions { Steps = 30, BatchSize = 8, Seed = 42, CheckpointEvery = 10, LogEvery = 5 };
        TrainingRun Run(string name) => TrainingRun.For(new MqarTask(pairs: 3, sequenceLength: 16, keyVocab: 8, valueVocab: 8),
            ReferenceMixers.DeltaNet(new DeltaNetOptions(Heads: 2, ChunkSize: 8)),
            options with { CheckpointDirectory = Path.Combine(directory, name) }, dim: 32, layers: 1, mlpRatio: 2);

        var uninterrupted = await new Trainer().TrainAsync(Run("whole"));

        // Stop at step 25, i.e. 5 steps after the checkpoint of step 20, losing those 5 steps.
        using var stop = new CancellationTokenSource();
        var interrupted = new Trainer().TrainAsync(Run("interrupted"), new CallbackProgress<TrainingProgress>(p => { if (p.Step == 25) stop.Cancel(); }), stop.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => interrupted);
        Assert.Equal(20, new CheckpointStore(Path.Combine(directory, "interrupted")).Latest()!.Value.State.Step);

        var resumed = await new Trainer().TrainAsync(Run("interrupted"));

        Assert.Equal(0, uninterrupted.ResumedFromStep);
        Assert.Equal(20, resumed.ResumedFromStep);
        Assert.Equal(uninterrupted.LossCurve, resumed.LossCurve);
        Assert.Equal(uninterrupted.FinalTrainLoss, resumed.FinalTrainLoss);
        Assert.Equal(uninterrupted.EvaluationLoss, resumed.EvaluationLoss);
        Assert.Equal(uninterrupted.EvaluationAccuracy, resumed.EvaluationAccuracy);
    }

    [Fact]
    public async Task A_checkpoint_directory_of_a_different_run_is_refused()
    {
        var task = new MqarTask(pairs: 2, sequenceLength: 8, keyVocab: 4, valueVocab: 4);
        var options = new TrainingOptions { Steps = 4, BatchSize = 2, CheckpointEvery = 2, CheckpointDirectory = directory };
        await new Trainer().TrainAsync(TrainingRun.For(task, ReferenceMixers.DeltaNet(new DeltaNetOptions(Heads: 1)), options, dim: 16, layers: 1));
        var other = TrainingRun.For(task, ReferenceMixers.DeltaNet(new DeltaNetOptions(Heads: 1)), options with { Seed = 9 }, dim: 16, layers: 1);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new Trainer().TrainAsync(other));
        Assert.Contains("Use a fresh directory", error.Message);
    }
}
