using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>
/// Walks the words of a text (maximal letter/digit runs, ASCII case-folded) and hashes each one: the
/// inner loop of MinHash, which sees every character of every document in the run. Word boundaries come
/// from vector compares over 64-character blocks turned into one bit mask (a character-by-character scan
/// paid a mispredicted branch per word and a multiply per character); non-ASCII characters are then
/// classified one by one. A word of up to 16 characters (nearly all) is hashed from one vector load by two
/// wide multiplies, without a branch on its length.
/// </summary>
internal ref struct WordHashes
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

    private const int MaxWordsPerBlock = BlockSize / 2;

    private readonly ReadOnlySpan<char> text;
    private int blockStart;
    private ulong carry; // 1 when the character before the block belongs to a word
    private int wordStart; // of a word that runs on from an earlier block, or -1

    public WordHashes(ReadOnlySpan<char> text)
    {
        this.text = text;
        blockStart = 0;
        carry = 0;
        wordStart = -1;
    }

    /// <summary>
    /// Writes the hashes of the next words into <paramref name="destination"/> (at least 33 long) and returns how
    /// many; 0 when the text is done. A block's word starts and ends are two bit masks walked independently, so
    /// finding a word costs a few single-cycle bit operations instead of a chain of dependent searches.
    /// </summary>
    public int Fill(scoped Span<ulong> destination)
    {
        if (destination.Length <= MaxWordsPerBlock) throw new ArgumentException($"Give room for more than {MaxWordsPerBlock} words.", nameof(destination));
        var length = text.Length;
        var count = 0;
        // Unchecked stores: a block adds at most MaxWordsPerBlock words, and the loop stops while that many still fit.
        ref var output = ref MemoryMarshal.GetReference(destination);
        var (block, previous, pending) = (blockStart, carry, wordStart);
        while (block < length && count + MaxWordsPerBlock < destination.Length)
        {
            var bits = MaskAt(text, block);
            var shifted = (bits << 1) | previous;
            var starts = bits & ~shifted;
            var ends = ~bits & shifted; // bit i: a word ended just before character i
            previous = bits >> 63;
            if (pending >= 0)
            {
                if (ends == 0)
                {
                    block += BlockSize; // the word covers this whole block
                    continue;
                }

                Unsafe.Add(ref output, count++) = HashOutOfLine(text, pending, block + BitOperations.TrailingZeroCount(ends));
                ends &= ends - 1;
                pending = -1;
            }

            while (starts != 0)
            {
                var start = block + BitOperations.TrailingZeroCount(starts);
                starts &= starts - 1;
                if (ends == 0)
                {
                    pending = start; // runs on into the next block
                    break;
                }

                Unsafe.Add(ref output, count++) = Hash(text, start, block + BitOperations.TrailingZeroCount(ends));
                ends &= ends - 1;
            }

            block += BlockSize;
        }

        if (block >= length && pending >= 0)
        {
            destination[count++] = HashOutOfLine(text, pending, length);
            pending = -1;
        }

        (blockStart, carry, wordStart) = (block, previous, pending);
        return count;
    }

    /// <summary>The hash of one word (its characters all letters or digits); the definition the scanner follows.</summary>
    public static ulong HashWord(ReadOnlySpan<char> word) => Hash(word, 0, word.Length);

    /// <summary>Word-character bits of text[start..start+64]; zero beyond the text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MaskAt(ReadOnlySpan<char> text, int start)
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

    /// <summary>For the rare words that straddle blocks or end the text: keeps Fill's inlining budget for the hot call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong HashOutOfLine(ReadOnlySpan<char> text, int start, int end) => Hash(text, start, end);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(ReadOnlySpan<char> text, int start, int end)
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
