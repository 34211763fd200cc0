namespace Evolve.Torch.Tasks;

/// <summary>
/// Multi-query associative recall: the sequence first lists key–value pairs, then after filler asks
/// for some of the keys again; the model must emit each key's value. Scored at the query keys.
/// Token layout: 0 filler, keys [1, 1+KeyVocab), values after them.
/// </summary>
public sealed class MqarTask : ISequenceTask
{
    public MqarTask(int pairs, int sequenceLength, int keyVocab = 64, int valueVocab = 64, int? queries = null)
    {
        Queries = queries ?? pairs;
        if (pairs < 1 || keyVocab < pairs || valueVocab < 2)
            throw new ArgumentException($"MQAR needs 1 ≤ pairs ≤ keyVocab and valueVocab ≥ 2 (got pairs={pairs}, keyVocab={keyVocab}, valueVocab={valueVocab}).");
        if (Queries < 1 || Queries > pairs)
            throw new ArgumentException($"MQAR queries must be in 1..pairs (got {Queries} for {pairs} pairs).");
        if (sequenceLength < 2 * pairs + 2 * Queries - 1)
            throw new ArgumentException($"MQAR sequence length {sequenceLength} is too short for {pairs} pairs and {Queries} queries; use at least {2 * pairs + 2 * Queries - 1}.");
        Pairs = pairs;
        SequenceLength = sequenceLength;
        KeyVocab = keyVocab;
        ValueVocab = valueVocab;
    }

    public int Pairs { get; }
    public int Queries { get; }
    public int KeyVocab { get; }
    public int ValueVocab { get; }
    public string Name => "mqar";
    public int SequenceLength { get; }
    public int VocabSize => 1 + KeyVocab + ValueVocab;
    public double ChanceAccuracy => 1.0 / ValueVocab;

    public SequenceBatch Sample(int batchSize, Random random)
    {
        int length = SequenceLength;
        var inputs = new long[batchSize * length];
        var targets = new long[batchSize * length];
        var sequence = new long[length + 1];
        var queryStart = length + 1 - 2 * Queries;
        for (int row = 0; row < batchSize; row++)
        {
            Array.Clear(sequence);
            var keys = Enumerable.Range(1, KeyVocab).OrderBy(_ => random.Next()).Take(Pairs).ToArray();
            var values = keys.Select(_ => 1L + KeyVocab + random.Next(ValueVocab)).ToArray();
            for (int i = 0; i < Pairs; i++)
            {
                sequence[2 * i] = keys[i];
                sequence[2 * i + 1] = values[i];
            }
            var asked = Enumerable.Range(0, Pairs).OrderBy(_ => random.Next()).Take(Queries).ToArray();
            for (int j = 0; j < Queries; j++)
            {
                sequence[queryStart + 2 * j] = keys[asked[j]];
                sequence[queryStart + 2 * j + 1] = values[asked[j]];
            }
            SequenceBuilder.Write(sequence, t => t >= queryStart && (t - queryStart) % 2 == 0, inputs, targets, row, length);
        }
        return new SequenceBatch(inputs, targets, batchSize, length);
    }
}
