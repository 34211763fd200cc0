using Evolve.Torch.Mixers;
using Evolve.Torch.Tasks;
using Evolve.Torch.Training;

namespace Evolve.Torch.TrainProbe;

/// <summary>The one run both the killed process and the test's resumed and uninterrupted runs train.</summary>
public static class ResumeScenario
{
    public const int Steps = 40;
    public const int CheckpointEvery = 10;

    public static TrainingRun Run(string checkpointDirectory) =>
        TrainingRun.For(new MqarTask(pairs: 3, sequenceLength: 16, keyVocab: 8, valueVocab: 8),
            ReferenceMixers.DeltaNet(new DeltaNetOptions(Heads: 2, ChunkSize: 8)),
            new TrainingOptions { Steps = Steps, BatchSize = 8, Seed = 7, CheckpointEvery = CheckpointEvery, LogEvery = 1, CheckpointDirectory = checkpointDirectory },
            dim: 32, layers: 1, mlpRatio: 2);
}
