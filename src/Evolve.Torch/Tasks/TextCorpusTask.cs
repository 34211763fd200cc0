using System.Text;

namespace Evolve.Torch.Tasks;

/// <summary>
/// Character-level language modelling on a corpus generated from a small English-like grammar
/// (deterministic from its seed, so nothing has to be downloaded). Every position is scored;
/// training windows come from the first 90% of the corpus, evaluation windows from the rest.
/// </summary>
public sealed class TextCorpusTask : ISequenceTask
{
    private const string Alphabet = " abcdefghijklmnopqrstuvwxyz.,";
    private readonly long[] tokens;
    private readonly int trainEnd;

    public TextCorpusTask(int sequenceLength, int corpusCharacters = 200_000, int corpusSeed = 7)
    {
        if (sequenceLength < 2 || corpusCharacters < 20 * sequenceLength)
            throw new ArgumentException($"Text corpus of {corpusCharacters} characters is too small for windows of {sequenceLength}; use at least {20 * sequenceLength}.");
        SequenceLength = sequenceLength;
        Text = SyntheticText.Generate(corpusCharacters, corpusSeed);
        tokens = Text.Select(c => (long)Alphabet.IndexOf(c)).ToArray();
        trainEnd = tokens.Length * 9 / 10;
    }

    public string Text { get; }
    public string Name => "lm";
    public int SequenceLength { get; }
    public int VocabSize => Alphabet.Length;
    public double ChanceAccuracy => 1.0 / VocabSize;

    public SequenceBatch Sample(int batchSize, Random random) => SampleRange(batchSize, random, 0, trainEnd);

    public SequenceBatch SampleEvaluation(int batchSize, Random random) => SampleRange(batchSize, random, trainEnd, tokens.Length);

    private SequenceBatch SampleRange(int batchSize, Random random, int start, int end)
    {
        int length = SequenceLength;
        var inputs = new long[batchSize * length];
        var targets = new long[batchSize * length];
        for (int row = 0; row < batchSize; row++)
        {
            int offset = start + random.Next(end - start - length - 1);
            SequenceBuilder.Write(tokens.AsSpan(offset, length + 1), _ => true, inputs, targets, row, length);
        }
        return new SequenceBatch(inputs, targets, batchSize, length);
    }
}

/// <summary>Sentences from a tiny grammar with agreement and a few long-range habits, enough structure to learn.</summary>
internal static class SyntheticText
{
    private static readonly string[] Determiners = ["the", "a", "every", "this", "that", "my", "our"];
    private static readonly string[] Adjectives = ["small", "quiet", "bright", "old", "curious", "heavy", "gentle", "rapid", "green", "distant"];
    private static readonly string[] Nouns = ["cat", "river", "machine", "teacher", "garden", "signal", "window", "model", "farmer", "engine", "letter", "cloud"];
    private static readonly string[] Verbs = ["sees", "follows", "builds", "remembers", "carries", "answers", "watches", "repairs", "finds", "moves"];
    private static readonly string[] Adverbs = ["slowly", "again", "quietly", "today", "carefully", "at once"];
    private static readonly string[] Prepositions = ["near", "under", "behind", "beside", "over"];

    public static string Generate(int characters, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(characters + 200);
        while (text.Length < characters)
        {
            text.Append(Sentence(random)).Append(' ');
        }
        return text.ToString(0, characters);
    }

    private static string Sentence(Random random)
    {
        string Pick(string[] words) => words[random.Next(words.Length)];
        string Phrase() => random.Next(3) == 0 ? $"{Pick(Determiners)} {Pick(Adjectives)} {Pick(Nouns)}" : $"{Pick(Determiners)} {Pick(Nouns)}";
        var subject = Phrase();
        var sentence = $"{subject} {Pick(Verbs)} {Phrase()}";
        if (random.Next(3) == 0) sentence += $" {Pick(Prepositions)} {Phrase()}";
        if (random.Next(4) == 0) sentence += $" {Pick(Adverbs)}";
        // A long-range habit: some sentences repeat their subject, which rewards memory.
        if (random.Next(5) == 0) sentence += $", and {subject} rests";
        return sentence + ".";
    }
}
