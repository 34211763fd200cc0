namespace Evolve.Torch.Tasks;

/// <summary>
/// A batch of next-token examples: Inputs[b, t] and Targets[b, t] stored row-major; only positions
/// whose target is not <see cref="IgnoreTarget"/> are scored.
/// </summary>
public sealed record SequenceBatch(long[] Inputs, long[] Targets, int BatchSize, int SequenceLength)
{
    public const long IgnoreTarget = -100;
}

/// <summary>A benchmark whose examples are generated locally from a seeded random source.</summary>
public interface ISequenceTask
{
    /// <summary>Short name used in metric keys ("mqar", "selective_copy", …).</summary>
    string Name { get; }

    int VocabSize { get; }

    int SequenceLength { get; }

    /// <summary>Accuracy of guessing uniformly, so callers can judge "well above chance".</summary>
    double ChanceAccuracy { get; }

    /// <summary>Draws a batch; the same random state gives the same batch.</summary>
    SequenceBatch Sample(int batchSize, Random random);

    /// <summary>Draws an evaluation batch; tasks with a held-out split override this.</summary>
    SequenceBatch SampleEvaluation(int batchSize, Random random) => Sample(batchSize, random);
}

/// <summary>Common helpers for building batches of a fixed shape.</summary>
internal static class SequenceBuilder
{
    /// <summary>Shifts a (length+1) sequence into inputs and targets; <paramref name="scored"/> picks scored input positions.</summary>
    public static void Write(ReadOnlySpan<long> sequence, Func<int, bool> scored, long[] inputs, long[] targets, int row, int length)
    {
        for (int t = 0; t < length; t++)
        {
            inputs[row * length + t] = sequence[t];
            targets[row * length + t] = scored(t) ? sequence[t + 1] : SequenceBatch.IgnoreTarget;
        }
    }
}
