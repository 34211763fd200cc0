using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>Cheap single-pass measures the quality filters share.</summary>
public static class TextStatistics
{
    // 1 for ASCII characters that are neither letters, digits nor whitespace: one lookup per character, no branches.
    private static readonly byte[] AsciiSymbols = BuildAsciiSymbols();

    /// <summary>Share of characters that are neither letters, digits nor whitespace.</summary>
    public static double SymbolRatio(ReadOnlySpan<char> text) => text.IsEmpty ? 0 : (double)CountSymbols(text) / text.Length;

    /// <summary>
    /// Characters that are neither letters, digits nor whitespace. ASCII (nearly all text) is classified sixteen
    /// characters at a time; only the other characters go through the general Unicode lookup.
    /// </summary>
    public static int CountSymbols(ReadOnlySpan<char> text)
    {
        var symbols = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
            for (; i <= text.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var block = Vector256.LoadUnsafe(ref first, (nuint)i);
                // ASCII letters (either case), digits, and the whitespace '\t'..'\r' and ' ' are not symbols.
                var letter = Vector256.LessThan((block | Vector256.Create((ushort)0x20)) - Vector256.Create((ushort)'a'), Vector256.Create((ushort)26));
                var digit = Vector256.LessThan(block - Vector256.Create((ushort)'0'), Vector256.Create((ushort)10));
                var space = Vector256.LessThan(block - Vector256.Create((ushort)'\t'), Vector256.Create((ushort)5)) |
                    Vector256.Equals(block, Vector256.Create((ushort)' '));
                var nonAscii = Vector256.GreaterThan(block, Vector256.Create((ushort)0x7F)).ExtractMostSignificantBits();
                symbols += Vector256<ushort>.Count - BitOperations.PopCount((letter | digit | space).ExtractMostSignificantBits() | nonAscii);
                // The few other characters one by one.
                for (; nonAscii != 0; nonAscii &= nonAscii - 1)
                {
                    if (IsSymbol(text[i + BitOperations.TrailingZeroCount(nonAscii)])) symbols++;
                }
            }
        }

        return symbols + CountSymbolsScalar(text[i..]);
    }

    private static int CountSymbolsScalar(ReadOnlySpan<char> text)
    {
        var table = AsciiSymbols;
        var symbols = 0;
        foreach (var c in text)
        {
            if (c < table.Length) symbols += table[c];
            else if (IsSymbol(c)) symbols++;
        }

        return symbols;
    }

    public static double AlphanumericShare(ReadOnlySpan<char> text)
    {
        var alphanumeric = 0;
        foreach (var c in text) if (IsWordChar(c)) alphanumeric++;
        return text.IsEmpty ? 0 : (double)alphanumeric / text.Length;
    }

    /// <summary>Letters and digits, with the ASCII case answered without a table lookup.</summary>
    public static bool IsWordChar(char c) => c < 128 ? char.IsAsciiLetterOrDigit(c) : char.IsLetterOrDigit(c);

    private static bool IsSymbol(char c) => !char.IsLetterOrDigit(c) && !char.IsWhiteSpace(c);

    private static byte[] BuildAsciiSymbols()
    {
        var table = new byte[128];
        for (var c = 0; c < table.Length; c++) table[c] = IsSymbol((char)c) ? (byte)1 : (byte)0;
        return table;
    }

    /// <summary>
    /// Word count (up to <paramref name="maxWords"/>, at most 4096) and distinct-word ratio of those words, hashed
    /// case-insensitively. Repetition shows in any long enough prefix, so the scan stops early.
    /// </summary>
    public static (int Words, double UniqueRatio) Words(ReadOnlySpan<char> text, int maxWords = 256)
    {
        var (words, distinct) = CountWords(text, maxWords, settledAtWords: int.MaxValue, settledAtDistinct: int.MaxValue);
        return (words, words == 0 ? 0 : (double)distinct / words);
    }

    /// <summary>
    /// What <see cref="Words"/> counts, but stops as soon as there are <paramref name="settledAtWords"/> words of
    /// which <paramref name="settledAtDistinct"/> are distinct: for a caller that only asks "enough words, and not too
    /// repetitive", further words cannot change the answer (typical prose settles within a few dozen words).
    /// </summary>
    public static (int Words, int Distinct) CountWords(ReadOnlySpan<char> text, int maxWords, int settledAtWords, int settledAtDistinct)
    {
        // Distinct words counted in a small open-addressing table on the stack: no allocation, no hashing API.
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, Math.Min(maxWords, 4096) * 2));
        // Both start zeroed (this assembly keeps locals initialised), so no Clear().
        Span<ulong> table = capacity <= 1024 ? stackalloc ulong[capacity] : new ulong[capacity];
        var words = 0;
        var distinct = 0;
        // Small batches (a block or two of text each): the count usually settles within a few dozen words.
        Span<ulong> batch = stackalloc ulong[40];
        var scanner = new WordWalk<char, Utf16Words>(text);
        int filled;
        while (words < maxWords && (filled = scanner.Fill(batch)) > 0)
        {
            foreach (var word in batch[..filled])
            {
                words++;
                var hash = word | 1; // 0 marks an empty slot
                var slot = (int)(FastHash.Mix(hash) & (ulong)(capacity - 1));
                while (table[slot] != 0 && table[slot] != hash) slot = (slot + 1) & (capacity - 1);
                // Branch-free: new and repeated words alternate unpredictably in prose.
                distinct += table[slot] == 0 ? 1 : 0;
                table[slot] = hash;
                if (words >= maxWords || (distinct >= settledAtDistinct && words >= settledAtWords)) return (words, distinct);
            }
        }

        return (words, distinct);
    }
}
