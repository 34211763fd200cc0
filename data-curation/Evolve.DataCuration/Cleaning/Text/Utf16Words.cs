using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>
/// Words of UTF-16 text for <see cref="WordWalk{TUnit,TEncoding}"/>: maximal letter/digit runs, ASCII case-folded.
/// A block's mask comes from vector compares over its 64 characters; non-ASCII characters are then classified one by
/// one. A word of up to 16 characters (nearly all) is hashed from one vector load by two wide multiplies, without a
/// branch on its length.
/// </summary>
internal readonly struct Utf16Words : IWordEncoding<char>
{
    private const int BlockSize = 64;
    private const int PieceLength = 16;
    private const ulong Secret0 = 0xD8A3_DC5E_D9F1_DB27UL;
    private const ulong Secret1 = 0xDE4B_D86C_DF19_DA95UL;
    private const ulong Secret2 = 0xDB7E_DD31_D8C4_DEA9UL;
    private const ulong Secret3 = 0xDC16_DAE7_DD8B_D95FUL;
    private const ulong Secret4 = 0x9E37_79B9_7F4A_7C15UL;
    private const ulong Secret5 = 0xC2B2_AE3D_27D4_EB4FUL;

    // Loaded at offset 16 - n: n lanes of ones, then zeros; keeps the first n characters of a 16-character load.
    private static ReadOnlySpan<ushort> LengthMasks =>
    [
        0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// <summary>The hash of one word (its characters all letters or digits); the definition the scanner follows.</summary>
    public static ulong HashWord(ReadOnlySpan<char> word) => Hash(word, 0, word.Length);

    /// <summary>Word-character bits of text[start..start+64]; zero beyond the text. UTF-16 needs no spill.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MaskAt(ReadOnlySpan<char> text, int start, ref ulong spill)
    {
        if (!Vector256.IsHardwareAccelerated || start + BlockSize > text.Length) return ScalarMask(text, start);
        ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
        ulong word = 0, nonAscii = 0;
        for (var v = 0; v < BlockSize / 16; v++)
        {
            var chars = Vector256.LoadUnsafe(ref first, (nuint)(start + v * 16));
            var letter = Vector256.LessThanOrEqual((chars | Vector256.Create((ushort)0x20)) - Vector256.Create((ushort)'a'), Vector256.Create((ushort)25));
            var digit = Vector256.LessThanOrEqual(chars - Vector256.Create((ushort)'0'), Vector256.Create((ushort)9));
            word |= (ulong)(letter | digit).ExtractMostSignificantBits() << (v * 16);
            nonAscii |= (ulong)Vector256.GreaterThan(chars, Vector256.Create((ushort)127)).ExtractMostSignificantBits() << (v * 16);
        }

        // Non-ASCII characters (rare in most corpora) ask the Unicode tables one by one.
        while (nonAscii != 0)
        {
            var i = BitOperations.TrailingZeroCount(nonAscii);
            nonAscii &= nonAscii - 1;
            if (char.IsLetterOrDigit(text[start + i])) word |= 1UL << i;
        }

        return word;
    }

    private static ulong ScalarMask(ReadOnlySpan<char> text, int start)
    {
        var end = Math.Min(text.Length, start + BlockSize);
        ulong bits = 0;
        for (var i = start; i < end; i++)
        {
            if (TextStatistics.IsWordChar(text[i])) bits |= 1UL << (i - start);
        }

        return bits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(ReadOnlySpan<char> text, int start, int end)
    {
        var length = end - start;
        if (Vector256.IsHardwareAccelerated && length <= PieceLength && start + PieceLength <= text.Length)
        {
            // Nearly every word: one 16-character load, folded and cut to the word's length by vector masks.
            var chars = Vector256.LoadUnsafe(ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text)), (nuint)start);
            var ascii = Vector256.LessThan(chars, Vector256.Create((ushort)128));
            var keep = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(LengthMasks), (nuint)(PieceLength - length));
            var chunks = ((chars | (ascii & Vector256.Create((ushort)0x20))) & keep).AsUInt64();
            return HashPiece(chunks.GetElement(0), chunks.GetElement(1), chunks.GetElement(2), chunks.GetElement(3));
        }

        return HashSlow(text.Slice(start, length));
    }

    /// <summary>The same hash without vectors: for long words, words at the very end of a text, and plain CPUs.</summary>
    private static ulong HashSlow(ReadOnlySpan<char> word)
    {
        Span<ushort> piece = stackalloc ushort[PieceLength];
        ulong h = 0;
        for (var offset = 0; offset < Math.Max(word.Length, 1); offset += PieceLength)
        {
            piece.Clear();
            var part = word.Slice(offset, Math.Min(PieceLength, word.Length - offset));
            for (var k = 0; k < part.Length; k++) piece[k] = part[k] < 128 ? (ushort)(part[k] | 0x20) : part[k];
            var chunks = MemoryMarshal.Cast<ushort, ulong>(piece);
            var pieceHash = HashPiece(chunks[0], chunks[1], chunks[2], chunks[3]);
            h = offset == 0 ? pieceHash : Fold(h ^ Secret4, pieceHash ^ Secret5);
        }

        return h;
    }

    /// <summary>
    /// Sixteen folded characters as four 64-bit chunks, hashed by two 64x64->128-bit multiplies. The secrets have
    /// surrogate code units in every lane, which no letter or digit is, so a chunk never cancels its secret to zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong HashPiece(ulong c0, ulong c1, ulong c2, ulong c3) =>
        Fold(c0 ^ Secret0, c1 ^ Secret1) ^ Fold(c2 ^ Secret2, c3 ^ Secret3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Fold(ulong a, ulong b)
    {
        var high = Math.BigMul(a, b, out var low);
        return high ^ low;
    }
}
