namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>Cheap single-pass measures the quality filters share.</summary>
public static class TextStatistics
{
    // 1 for ASCII characters that are neither letters, digits nor whitespace: one lookup per character, no branches.
    private static readonly byte[] AsciiSymbols = BuildAsciiSymbols();

    /// <summary>Share of characters that are neither letters, digits nor whitespace.</summary>
    public static double SymbolRatio(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return 0;
        var table = AsciiSymbols;
        var symbols = 0;
        foreach (var c in text)
        {
            if (c < table.Length) symbols += table[c];
            else if (IsSymbol(c)) symbols++;
        }

        return (double)symbols / text.Length;
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
        // Distinct words counted in a small open-addressing table on the stack: no allocation, no hashing API.
        var capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, Math.Min(maxWords, 4096) * 2));
        Span<ulong> table = capacity <= 1024 ? stackalloc ulong[capacity] : new ulong[capacity];
        table.Clear();
        var words = 0;
        var distinct = 0;
        var i = 0;
        while (words < maxWords && WordScanner.NextWord(text, ref i, out var hash))
        {
            words++;
            hash |= 1; // 0 marks an empty slot
            var slot = (int)(FastHash.Mix(hash) & (ulong)(capacity - 1));
            while (table[slot] != 0 && table[slot] != hash) slot = (slot + 1) & (capacity - 1);
            // Branch-free: new and repeated words alternate unpredictably in prose.
            distinct += table[slot] == 0 ? 1 : 0;
            table[slot] = hash;
        }

        return (words, words == 0 ? 0 : (double)distinct / words);
    }
}
