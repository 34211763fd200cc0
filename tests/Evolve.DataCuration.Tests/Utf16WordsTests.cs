using System.Numerics;
using System.Text;
using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Cleaning.Text;
using Evolve.DataCuration.Deduplication;

namespace Evolve.DataCuration.Tests;

public sealed class Utf16WordsTests
{
    // Letters, digits, ASCII separators, non-ASCII letters (folded by no one), non-ASCII separators, a surrogate pair.
    private static readonly string[] Pieces =
    [
        "a", "Z", "7", "q", "Ab", " ", "  ", ",", ".", "\n", "-", "_", "é", "ß", "Ж", "λ", "’", "—", "\u00A0", "😀", "x1", "HTTP",
    ];

    [Fact]
    public void Scanner_yields_every_word_with_the_hash_of_its_definition_at_any_alignment()
    {
        var random = new Random(7);
        for (var sample = 0; sample < 400; sample++)
        {
            var text = WordSamples.RandomText(random, random.Next(0, 400), Pieces);
            var expected = ReferenceWords(text).Select(w => Utf16Words.HashWord(w)).ToList();
            Assert.Equal(expected, WordSamples.Scan<char, Utf16Words>(text, batchSize: 40)); // small batches end mid-text and must resume
        }
    }

    [Fact]
    public void Long_words_and_words_touching_block_and_text_ends_are_whole() =>
        WordSamples.AssertWordsAreWholeAtAnyLengthAndAlignment(word => Utf16Words.HashWord(word), Scan);

    [Fact]
    public void Ascii_case_is_folded_and_distinct_words_hash_apart() =>
        WordSamples.AssertCaseFoldsAndWordsHashApart(word => Utf16Words.HashWord(word), Scan);

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public void Minhash_estimates_the_jaccard_similarity_of_shingle_sets(double overlap)
    {
        // Two documents share a run of words and differ elsewhere; the estimate must track the true Jaccard index.
        var options = new DeduplicationOptions();
        var hasher = new MinHasher(options);
        var estimates = new List<double>();
        var truths = new List<double>();
        for (var trial = 0; trial < 20; trial++)
        {
            var shared = Words($"s{trial}x", (int)(600 * overlap));
            var a = shared.Concat(Words($"a{trial}x", 600 - shared.Count)).ToList();
            var b = shared.Concat(Words($"b{trial}x", 600 - shared.Count)).ToList();
            truths.Add(Jaccard(Shingles(a, options.ShingleSize), Shingles(b, options.ShingleSize)));
            uint[] sa = new uint[hasher.SignatureLength], sb = new uint[hasher.SignatureLength];
            hasher.Compute(Encoding.UTF8.GetBytes(string.Join(' ', a)), sa);
            hasher.Compute(Encoding.UTF8.GetBytes(string.Join(' ', b)), sb);
            estimates.Add(MinHasher.Similarity(sa, sb));
        }

        Assert.InRange(estimates.Average() - truths.Average(), -0.05, 0.05);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(16)]
    public void Minhash_signatures_follow_their_definition_for_texts_of_any_length(int shingleSize)
    {
        // Texts shorter than a shingle, of one shingle, and longer than the 256-word batches the hasher fills.
        var options = new DeduplicationOptions { ShingleSize = shingleSize };
        var hasher = new MinHasher(options);
        var random = new Random(shingleSize);
        foreach (var words in new[] { 0, 1, shingleSize - 1, shingleSize, shingleSize + 1, 255, 256, 257, 700 })
        {
            var text = string.Join(random.Next(3) == 0 ? ", " : " ", Enumerable.Range(0, words).Select(_ => $"w{random.Next(400)}"));
            var utf8 = Encoding.UTF8.GetBytes(text);
            var actual = new uint[hasher.SignatureLength];
            hasher.Compute(utf8, actual);
            Assert.Equal(ReferenceSignature(WordSamples.Scan<byte, Utf8Words>(utf8), shingleSize, hasher.SignatureLength), actual);
        }
    }

    /// <summary>
    /// One-permutation MinHash as defined: a shingle's hash is the XOR of its word hashes rotated by 13 bits per position
    /// back from its last word (a text shorter than a shingle is one shingle of all its words), mixed by one multiply;
    /// its top bits pick the bin, the next 31 the value, the smallest value wins; then empty bins borrow.
    /// </summary>
    private static uint[] ReferenceSignature(List<ulong> words, int k, int length)
    {
        var signature = Enumerable.Repeat(uint.MaxValue, length).ToArray();
        var binBits = BitOperations.Log2((uint)length);
        var ends = words.Count >= k ? Enumerable.Range(k - 1, words.Count - k + 1) : words.Count > 0 ? [words.Count - 1] : [];
        foreach (var end in ends)
        {
            ulong shingle = 0;
            for (var j = 0; j < k && end - j >= 0; j++) shingle ^= BitOperations.RotateLeft(words[end - j], 13 * j);
            var mixed = (shingle ^ (shingle >> 29)) * 0xBF58476D1CE4E5B9UL;
            var bin = (int)(mixed >> (64 - binBits));
            signature[bin] = Math.Min(signature[bin], (uint)(mixed >> (64 - binBits - 31)) & 0x7FFFFFFFu);
        }

        MinHasher.Densify(signature);
        return signature;
    }

    [Fact]
    public void Exact_keys_ignore_surrounding_whitespace_and_tell_texts_apart()
    {
        Assert.Equal(Key("same text"), Key("  same text\n"));
        Assert.Equal(Key("same text"), Key("\u00A0\u3000same text\u2028\t")); // Unicode white space too, as string.Trim
        Assert.NotEqual(Key("same text"), Key("same text."));
        var keys = new HashSet<ulong>();
        var text = new StringBuilder();
        for (var length = 0; length < 200; length++)
        {
            // Every length exercises a different split between the 32-byte blocks, the 8-byte words and the tail.
            Assert.True(keys.Add(Key(text.ToString())), $"collision at length {length}");
            Assert.True(keys.Add(Key(text + "é")), $"collision at length {length} + é");
            text.Append((char)('a' + length % 26));
        }

        static ulong Key(string text) => MinHasher.ExactKey(Encoding.UTF8.GetBytes(text));
    }

    [Fact]
    public void Utf8_trimming_removes_what_string_trim_removes()
    {
        var random = new Random(11);
        string[] pieces = [" ", "\t", "\n", "\u00A0", "\u2003", "\u3000", "\u0085", "\u001F", "a", "é", "中", "😀", "\u200B", "-"];
        for (var sample = 0; sample < 2000; sample++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 8)).Select(_ => pieces[random.Next(pieces.Length)]));
            Assert.Equal(Encoding.UTF8.GetBytes(text.Trim()), MinHasher.TrimWhiteSpace(Encoding.UTF8.GetBytes(text)).ToArray());
        }
    }

    private static IEnumerable<string> ReferenceWords(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var isWord = i < text.Length && TextStatistics.IsWordChar(text[i]);
            if (isWord && start < 0) start = i;
            if (!isWord && start >= 0)
            {
                yield return text[start..i];
                start = -1;
            }
        }
    }

    private static List<string> Words(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}{i}").ToList();

    private static HashSet<string> Shingles(List<string> words, int size) =>
        Enumerable.Range(0, words.Count - size + 1).Select(i => string.Join(' ', words.Skip(i).Take(size))).ToHashSet();

    private static double Jaccard(HashSet<string> a, HashSet<string> b) => (double)a.Intersect(b).Count() / a.Union(b).Count();

    private static List<ulong> Scan(string text) => WordSamples.Scan<char, Utf16Words>(text);
}
