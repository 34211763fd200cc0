using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>
/// Splits text into words (letter/digit runs) and hashes each one case-insensitively (FNV-1a over UTF-16
/// code units, ASCII upper case folded). The repetition filter and MinHash both walk every word of a
/// document, so this is among the hottest loops in curation: ASCII is answered from one table, without
/// bounds checks or the general Unicode lookup.
/// </summary>
internal static class WordScanner
{
    public const ulong OffsetBasis = 14695981039346656037UL;
    public const ulong Prime = 1099511628211UL;

    // ASCII letters and digits map to themselves (upper case to lower case); everything else to 0.
    private static readonly byte[] AsciiFold = BuildAsciiFold();

    /// <summary>
    /// Finds the next word at or after <paramref name="position"/>, returns its hash and moves
    /// <paramref name="position"/> past it; false when no word is left.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool NextWord(ReadOnlySpan<char> text, ref int position, out ulong hash)
    {
        var fold = AsciiFold;
        ref var first = ref MemoryMarshal.GetReference(text);
        var length = text.Length;
        var i = position;
        while (true)
        {
            if (i >= length)
            {
                position = i;
                hash = 0;
                return false;
            }

            var c = Unsafe.Add(ref first, i);
            if (c < fold.Length ? fold[c] != 0 : char.IsLetterOrDigit(c)) break;
            i++;
        }

        var h = OffsetBasis;
        while (i < length)
        {
            uint c = Unsafe.Add(ref first, i);
            if (c < (uint)fold.Length)
            {
                c = fold[c];
                if (c == 0) break;
            }
            else if (!char.IsLetterOrDigit((char)c))
            {
                break;
            }

            h = (h ^ c) * Prime;
            i++;
        }

        position = i;
        hash = h;
        return true;
    }

    private static byte[] BuildAsciiFold()
    {
        var fold = new byte[128];
        for (var c = 0; c < fold.Length; c++)
        {
            if (char.IsAsciiLetterOrDigit((char)c)) fold[c] = (byte)(char.IsAsciiLetterUpper((char)c) ? c | 0x20 : c);
        }

        return fold;
    }
}
