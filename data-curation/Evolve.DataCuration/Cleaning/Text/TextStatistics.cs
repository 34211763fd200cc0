namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>Cheap single-pass measures the quality filters share.</summary>
public static class TextStatistics
{
    /// <summary>Share of characters that are neither letters, digits nor whitespace.</summary>
    public static double SymbolRatio(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return 0;
        var symbols = 0;
        foreach (var c in text)
        {
            if (!char.IsLetterOrDigit(c) && !char.IsWhiteSpace(c)) symbols++;
        }

        return (double)symbols / text.Length;
    }

    /// <summary>Word count and distinct-word ratio (words hashed case-insensitively), in one pass.</summary>
    public static (int Words, double UniqueRatio) Words(ReadOnlySpan<char> text, HashSet<ulong> scratch)
    {
        scratch.Clear();
        var words = 0;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !char.IsLetterOrDigit(text[i])) i++;
            if (i >= text.Length) break;
            ulong hash = 14695981039346656037UL;
            while (i < text.Length && char.IsLetterOrDigit(text[i]))
            {
                hash = (hash ^ char.ToLowerInvariant(text[i])) * 1099511628211UL;
                i++;
            }

            words++;
            scratch.Add(hash);
        }

        return (words, words == 0 ? 0 : (double)scratch.Count / words);
    }
}
