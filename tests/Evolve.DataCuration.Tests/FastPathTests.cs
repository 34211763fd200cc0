using System.Text;
using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Cleaning.Operations;
using Evolve.DataCuration.Cleaning.Text;

namespace Evolve.DataCuration.Tests;

/// <summary>
/// The operations' fast paths (vectorised scans, filters that skip most of the text) against plain reference
/// formulations, on random texts built from the characters and fragments each fast path treats specially.
/// </summary>
public sealed class FastPathTests
{
    private static string RandomText(Random random, string[] pieces, int maxPieces)
    {
        var builder = new StringBuilder();
        var count = random.Next(maxPieces + 1);
        for (var i = 0; i < count; i++) builder.Append(pieces[random.Next(pieces.Length)]);
        return builder.ToString();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Term_counter_counts_like_a_case_insensitive_search_at_every_position_and_stops_at_the_same_place(bool prefilter)
    {
        string[][] groups = [["theorem", "lemma", "\\frac", "$"], ["return ", "```", "class "], ["dose", "mg/", "trial"]];
        var counter = new AsciiTermCounter(groups, prefilter);
        string[] pieces =
        [
            "the", "THEOREM", "Lemma", "dilemma", "\\frac", "\\FRAC", "$", "$$", "return ", "RETURN", "```", "``", "class ",
            "classes", "dose", "DOSE", "mg/", "Mg/", "mg", "trial", "industrial", "tri", " ", "\n", "é", "ı", "K", "x", "do",
        ];
        var random = new Random(7);
        var expected = new int[groups.Length];
        var actual = new int[groups.Length];
        for (var round = 0; round < 3000; round++)
        {
            // Some texts run past the counter's 256-character chunks.
            var text = RandomText(random, pieces, round % 10 == 0 ? 300 : 30);
            var stopAt = random.Next(1, round % 10 == 0 ? 60 : 6);
            Array.Clear(expected);
            Array.Clear(actual);
            ReferenceCount(text, groups, expected, stopAt);
            counter.Count(text, actual, stopAt);
            Assert.True(expected.SequenceEqual(actual), $"'{text}' (stop at {stopAt}): expected {string.Join(",", expected)}, got {string.Join(",", actual)}");
            var anyTerm = groups.SelectMany(g => g).Any(term => text.Contains(term, StringComparison.OrdinalIgnoreCase));
            Assert.Equal(anyTerm, counter.ContainsAny(text));
        }
    }

    [Fact]
    public void Term_counter_finds_every_shipped_term_at_every_alignment_with_and_without_the_prefilter()
    {
        // The prefilter's layout depends on the terms; the shipped vocabularies must each lose nothing to it.
        foreach (var groups in new[] { DetectTechnicalDomain.Vocabularies.Select(v => v.Terms).ToArray(), [RemoveBoilerplate.Phrases] })
        {
            var prefiltered = new AsciiTermCounter(groups);
            var plain = new AsciiTermCounter(groups, prefilter: false);
            foreach (var term in groups.SelectMany(g => g))
            {
                for (var lead = 0; lead < 70; lead += 3)
                {
                    var text = new string('x', lead) + term.ToUpperInvariant() + " and " + term;
                    int[] expected = new int[groups.Length], actual = new int[groups.Length];
                    ReferenceCount(text, groups, expected, int.MaxValue);
                    plain.Count(text, actual, int.MaxValue);
                    Assert.Equal(expected, actual);
                    Array.Clear(actual);
                    prefiltered.Count(text, actual, int.MaxValue);
                    Assert.Equal(expected, actual);
                }
            }
        }
    }

    private static void ReferenceCount(string text, string[][] groups, Span<int> hits, int stopAt)
    {
        for (var position = 0; position < text.Length; position++)
        {
            var stop = false;
            for (var g = 0; g < groups.Length; g++)
            {
                foreach (var term in groups[g])
                {
                    if (text.AsSpan(position).StartsWith(term, StringComparison.OrdinalIgnoreCase) && ++hits[g] >= stopAt) stop = true;
                }
            }

            if (stop) return;
        }
    }

    [Fact]
    public void Line_walk_splits_like_string_split_at_every_length_and_alignment()
    {
        var random = new Random(3);
        string[] pieces = ["\n", "\n\n", "a", "line of text", "\r\n", "é", new string('x', 63), new string('y', 64), " "];
        for (var round = 0; round < 2000; round++)
        {
            var text = RandomText(random, pieces, round % 10 == 0 ? 60 : 12);
            var lines = new List<string>();
            var walk = new LineWalk(text);
            while (walk.Next(out var start, out var end)) lines.Add(text[start..end]);
            Assert.Equal(text.Split('\n'), lines);
        }
    }

    [Fact]
    public void Term_counter_rejects_terms_it_cannot_search()
    {
        Assert.Throws<ArgumentException>(() => new AsciiTermCounter([["ok", "é"]]));
        Assert.Throws<ArgumentException>(() => new AsciiTermCounter([[""]]));
    }

    [Fact]
    public void Symbol_count_matches_the_per_character_definition()
    {
        // Every ASCII character once, at every offset of a vector block, then random mixes with non-ASCII text.
        var ascii = new string(Enumerable.Range(0, 128).Select(c => (char)c).ToArray());
        for (var offset = 0; offset < 20; offset++) Assert.Equal(ReferenceSymbols(new string('a', offset) + ascii), TextStatistics.CountSymbols(new string('a', offset) + ascii));
        string[] pieces = ["word ", "x", "=", "#", "\t", "\u00A0", "é", "—", "∑", "٣", "\u2028", "🙂", "1", "_", "{", "\n"];
        var random = new Random(11);
        for (var round = 0; round < 2000; round++)
        {
            var text = RandomText(random, pieces, 80);
            Assert.Equal(ReferenceSymbols(text), TextStatistics.CountSymbols(text));
        }
    }

    private static int ReferenceSymbols(string text) => text.Count(c => !char.IsLetterOrDigit(c) && !char.IsWhiteSpace(c));

    [Fact]
    public void Number_masking_matches_the_full_pattern_everywhere()
    {
        string[] pieces =
        [
            "1", "12", "123", "1234", "555", "4111", "2019", "0", "9", ".", "-", " ", "  ", "+", "(", ")", ",", ":", "#", "_", "x",
            "a", "é", "MRN", "MRN: ", "SSN ", "Patient ID", "Member ID#", "Account No.", "Account No ", "MRN:", "192.168.1.20",
            "(555) 123-4567", "+1 555.123.4567", "123-45-6789", "4111 1111 1111 1111", "300.400.500.600", "\n",
            "\u0665\u0665\u0665", "\u0661\u0662\u0663\u0664", "\uFF11", "\u2014", "\u00B2",
        ];
        var random = new Random(3);
        var mask = new MaskPii();
        for (var round = 0; round < 20000; round++)
        {
            var text = RandomText(random, pieces, 24);
            var document = new CleaningDocument(text);
            mask.Apply(document, new OperationStatistics(mask.Name));
            // The operation tries numbers only in texts with an ASCII digit (as it always has).
            var expected = text.AsSpan().ContainsAnyInRange('0', '9') ? MaskPii.MaskNumbersWithPattern(text) : text;
            Assert.True(expected == document.Text, $"'{text}': pattern gives '{expected}', fast path '{document.Text}'");
        }
    }

    [Fact]
    public void Every_non_ascii_decimal_digit_lies_in_the_ranges_the_digit_check_searches()
    {
        for (var c = '\u0080'; c < '\uFFFF'; c++)
        {
            if (!char.IsDigit(c)) continue;
            Assert.Contains(MaskPii.NonAsciiDigitRanges, range => c >= range.First && c <= range.Last);
        }
    }
}

public sealed class WhitespaceFastPathTests
{
    // The check NormalizeWhitespace used before its single pass: the operation's results are defined by it.
    private static bool BroadNeedsWork(string text) =>
        text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]) ||
            text.AsSpan().IndexOfAny('\r', '\t') >= 0 || text.Contains("  ", StringComparison.Ordinal) ||
            text.Contains(" \n", StringComparison.Ordinal) || text.Contains("\n\n\n", StringComparison.Ordinal));

    [Fact]
    public void Whitespace_normalisation_gives_what_the_broad_check_and_rebuild_give()
    {
        string[] pieces = ["word", "x", " ", "  ", "\n", "\n\n", "\t", "\r", "\u00A0", "\f", "\u001F", "\u3000", "é", "    ", "```", "| a |", "=", ";", "{"];
        var random = new Random(5);
        var operation = new NormalizeWhitespace();
        for (var round = 0; round < 20000; round++)
        {
            var builder = new StringBuilder("a");
            var count = random.Next(40);
            for (var i = 0; i < count; i++) builder.Append(pieces[random.Next(pieces.Length)]);
            if (random.Next(2) == 0) builder.Append('z');
            var text = builder.ToString();
            foreach (var domain in new[] { ContentDomain.General, ContentDomain.ComputerScience })
            {
                var expected = BroadNeedsWork(text) ? NormalizeWhitespace.Normalize(text, domain != ContentDomain.General) : text;
                var document = new CleaningDocument(text) { Domain = domain };
                operation.Apply(document, new OperationStatistics(operation.Name));
                Assert.True(expected == document.Text, $"'{Escape(text)}' ({domain}): expected '{Escape(expected)}', got '{Escape(document.Text)}'");
            }
        }
    }

    private static string Escape(string text) => text.Replace("\n", "\\n").Replace("\t", "\\t").Replace("\r", "\\r");
}
