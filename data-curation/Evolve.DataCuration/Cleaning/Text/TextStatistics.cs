using System.Buffers;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>Cheap single-pass measures the quality filters share; ASCII runs are skipped vectorised.</summary>
public static class TextStatistics
{
    private static readonly SearchValues<char> AsciiAlphanumericOrSpace =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n\t\r");

    /// <summary>Share of characters that are neither letters, digits nor whitespace.</summary>
    public static double SymbolRatio(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return 0;
        var length = text.Length;
        var symbols = 0;
        while (true)
        {
            var at = text.IndexOfAnyExcept(AsciiAlphanumericOrSpace);
            if (at < 0) break;
            var c = text[at];
            if (!char.IsLetterOrDigit(c) && !char.IsWhiteSpace(c)) symbols++;
            text = text[(at + 1)..];
        }

        return (double)symbols / length;
    }

    public static double AlphanumericShare(ReadOnlySpan<char> text)
    {
        var alphanumeric = 0;
        foreach (var c in text) if (IsWordChar(c)) alphanumeric++;
        return text.IsEmpty ? 0 : (double)alphanumeric / text.Length;
    }

    /// <summary>Letters and digits, with the ASCII case answered without a table lookup.</summary>
    public static bool IsWordChar(char c) => c < 128 ? char.IsAsciiLetterOrDigit(c) : char.IsLetterOrDigit(c);

    /// <summary>
    /// Word count (up to <paramref name="maxWords"/>, at most 4096) and distinct-word ratio of those words, hashed
    /// case-insensitively. Repetition shows in any long enough prefix, so the scan stops early.
    /// </summary>
    public static (int Words, double UniqueRatio) Words(ReadOnlySpan<char> text, int maxWords = 256)
    {
        // Distinct words counted in a small open-addressing table on the stack: no allocation, no hashing API.
        var capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, Math.Min(maxWords, 4096) * 2));
        Span<ulong> table = capacity <= 1024 ? stackalloc ulong[capacity] : new ulong[capacity];
        table.Clear();
        var words = 0;
        var distinct = 0;
        var i = 0;
        while (i < text.Length && words < maxWords)
        {
            while (i < text.Length && !IsWordChar(text[i])) i++;
            if (i >= text.Length) break;
            ulong hash = 14695981039346656037UL;
            while (i < text.Length && IsWordChar(text[i]))
            {
                var c = text[i++];
                hash = (hash ^ (char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c)) * 1099511628211UL;
            }

            words++;
            hash |= 1; // 0 marks an empty slot
            var slot = (int)(FastHash.Mix(hash) & (ulong)(capacity - 1));
            while (table[slot] != 0 && table[slot] != hash) slot = (slot + 1) & (capacity - 1);
            if (table[slot] == 0)
            {
                table[slot] = hash;
                distinct++;
            }
        }

        return (words, words == 0 ? 0 : (double)distinct / words);
    }
}
