namespace Evolve.Torch.Tasks;

/// <summary>
/// Selective copying: a few content tokens are scattered among blanks; after a separator the model
/// must reproduce them in order (teacher-forced). Scored from the separator on.
/// Token layout: 0 blank, 1 separator, content tokens [2, 2+ContentVocab).
/// </summary>
public sealed class SelectiveCopyTask : ISequenceTask
{
    public SelectiveCopyTask(int contentTokens, int sequenceLength, int contentVocab = 16)
    {
        if (contentTokens < 1 || contentVocab < 2)
            throw new ArgumentException($"Selective copying needs contentTokens ≥ 1 and contentVocab ≥ 2 (got {contentTokens}, {contentVocab}).");
        if (sequenceLength < 2 * contentTokens)
            throw new ArgumentException($"Selective copying sequence length {sequenceLength} must be at least twice the content tokens ({contentTokens}).");
        ContentTokens = contentTokens;
        SequenceLength = sequenceLength;
        ContentVocab = contentVocab;
    }

    public int ContentTokens { get; }
    public int ContentVocab { get; }
    public string Name => "selective_copy";
    public int SequenceLength { get; }
    public int VocabSize => 2 + ContentVocab;
    public double ChanceAccuracy => 1.0 / ContentVocab;

    public SequenceBatch Sample(int batchSize, Random random)
    {
        int length = SequenceLength;
        int region = length - ContentTokens; // scattered region, then separator, then the copies
        var inputs = new long[batchSize * length];
        var targets = new long[batchSize * length];
        var sequence = new long[length + 1];
        for (int row = 0; row < batchSize; row++)
        {
            Array.Clear(sequence);
            var positions = Enumerable.Range(0, region).OrderBy(_ => random.Next()).Take(ContentTokens).Order().ToArray();
            var content = positions.Select(_ => 2L + random.Next(ContentVocab)).ToArray();
            for (int i = 0; i < ContentTokens; i++)
            {
                sequence[positions[i]] = content[i];
                sequence[region + 1 + i] = content[i];
            }
            sequence[region] = 1;
            SequenceBuilder.Write(sequence, t => t >= region, inputs, targets, row, length);
        }
        return new SequenceBatch(inputs, targets, batchSize, length);
    }
}
