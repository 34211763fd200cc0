namespace Evolve.Torch.Tasks;

/// <summary>
/// Induction heads: a trigger token appears once followed by some token X amid random tokens; at the
/// end the trigger appears again and the model must predict X. Scored at the last position only.
/// Token layout: 0 unused, 1 trigger, ordinary tokens [2, VocabSize).
/// </summary>
public sealed class InductionHeadsTask : ISequenceTask
{
    public InductionHeadsTask(int sequenceLength, int vocabSize = 32)
    {
        if (sequenceLength < 4 || vocabSize < 4)
            throw new ArgumentException($"Induction heads needs sequenceLength ≥ 4 and vocabSize ≥ 4 (got {sequenceLength}, {vocabSize}).");
        SequenceLength = sequenceLength;
        VocabSize = vocabSize;
    }

    public string Name => "induction";
    public int SequenceLength { get; }
    public int VocabSize { get; }
    public double ChanceAccuracy => 1.0 / (VocabSize - 2);

    public SequenceBatch Sample(int batchSize, Random random)
    {
        int length = SequenceLength;
        var inputs = new long[batchSize * length];
        var targets = new long[batchSize * length];
        var sequence = new long[length + 1];
        for (int row = 0; row < batchSize; row++)
        {
            for (int t = 0; t <= length; t++) sequence[t] = 2 + random.Next(VocabSize - 2);
            int trigger = random.Next(length - 2);
            sequence[trigger] = 1;
            sequence[length - 1] = 1;
            sequence[length] = sequence[trigger + 1];
            SequenceBuilder.Write(sequence, t => t == length - 1, inputs, targets, row, length);
        }
        return new SequenceBatch(inputs, targets, batchSize, length);
    }
}
