using System.Text;
using Evolve.DataCuration.Cleaning.Text;
using Evolve.DataCuration.Parquet;

namespace Evolve.DataCuration.Tests;

/// <summary>The signature pass hashes the words of UTF-8 text without decoding it; it must find exactly the words a decoder would.</summary>
public sealed class Utf8WordsTests
{
    // ASCII letters, digits and separators; 2-, 3- and 4-byte letters and digits; non-ASCII separators, marks and symbols.
    private static readonly string[] Pieces =
    [
        "a", "Z", "7", "q", "Ab", " ", "  ", ",", ".", "\n", "-", "_", "é", "ß", "Ж", "λ", "中文", "٣", "𝐀", "’", "—", "\u00A0", "😀",
        "\u0301", "x1", "HTTP", "\uFFFD",
    ];

    [Fact]
    public void Scanner_yields_every_word_with_the_hash_of_its_definition_at_any_alignment()
    {
        var random = new Random(7);
        for (var sample = 0; sample < 1500; sample++)
        {
            var text = Encoding.UTF8.GetBytes(WordSamples.RandomText(random, random.Next(0, 300), Pieces));
            var expected = ReferenceWords(text).Select(w => Utf8Words.HashWord(w)).ToList();
            Assert.Equal(expected, WordSamples.Scan<byte, Utf8Words>(text, batchSize: 40));
        }
    }

    [Fact]
    public void Letters_that_straddle_a_block_boundary_belong_to_their_word()
    {
        foreach (var letter in new[] { "é", "中", "𝐀", "😀", "٣" })
        {
            for (var lead = 56; lead < 66; lead++)
            {
                var text = Encoding.UTF8.GetBytes(new string(' ', lead) + "ab" + letter + "cd" + " tail " + letter);
                var expected = ReferenceWords(text).Select(w => Utf8Words.HashWord(w)).ToList();
                Assert.Equal(expected, WordSamples.Scan<byte, Utf8Words>(text, batchSize: 40));
            }
        }
    }

    [Fact]
    public void Long_words_and_words_touching_block_and_text_ends_are_whole() =>
        WordSamples.AssertWordsAreWholeAtAnyLengthAndAlignment(HashWord, Scan);

    [Fact]
    public void Ascii_case_is_folded_and_distinct_words_hash_apart()
    {
        WordSamples.AssertCaseFoldsAndWordsHashApart(HashWord, Scan);
        Assert.NotEqual(Scan("Élan"), Scan("élan")); // only ASCII folds
    }

    [Fact]
    public void Invalid_text_is_judged_on_bytes_as_on_the_decoded_text()
    {
        var random = new Random(3);
        byte[][] pieces = [.. Pieces.Select(Encoding.UTF8.GetBytes), [0xC3], [0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xFF], [0xED, 0xA0, 0x80]];
        for (var sample = 0; sample < 5000; sample++)
        {
            var bytes = Enumerable.Range(0, random.Next(0, 12)).SelectMany(_ => pieces[random.Next(pieces.Length)]).ToArray();
            Assert.Equal(TextValidation.IsInvalid(Encoding.UTF8.GetString(bytes)), TextValidation.IsInvalid(bytes));
        }
    }

    /// <summary>Maximal runs of letter and digit characters, decoded rune by rune: the words by definition.</summary>
    private static List<byte[]> ReferenceWords(byte[] text)
    {
        var words = new List<byte[]>();
        var start = -1;
        var position = 0;
        while (position <= text.Length)
        {
            var consumed = 1;
            var isWord = false;
            if (position < text.Length)
            {
                Rune.DecodeFromUtf8(text.AsSpan(position), out var rune, out consumed);
                isWord = Rune.IsLetterOrDigit(rune);
            }

            if (isWord && start < 0) start = position;
            if (!isWord && start >= 0)
            {
                words.Add(text[start..position]);
                start = -1;
            }

            position += consumed;
        }

        return words;
    }

    private static ulong HashWord(string word) => Utf8Words.HashWord(Encoding.UTF8.GetBytes(word));

    private static List<ulong> Scan(string text) => WordSamples.Scan<byte, Utf8Words>(Encoding.UTF8.GetBytes(text));
}
