using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>
/// Words of UTF-8 text for <see cref="WordWalk{TUnit,TEncoding}"/>, as the signature pass reads them from the Parquet
/// page: maximal runs of letters and digits, ASCII case-folded. Not decoding to UTF-16 first saved a fifth of that
/// pass's hashing: 64 bytes are classified by two vector compares instead of 64 characters by four, and a word of up to
/// 16 bytes is hashed from one 16-byte load by a single wide multiply. Non-ASCII characters are decoded one by one
/// and classified by <see cref="Rune.IsLetterOrDigit(Rune)"/>; one that runs into the next block marks its last bytes
/// there (the spill). Meant for valid UTF-8 (invalid bytes are never part of a word).
/// </summary>
internal readonly struct Utf8Words : IWordEncoding<byte>
{
    private const int BlockSize = 64;
    private const int PieceLength = 16;

    // Every byte lies in 0x01..0x2F, which no byte of a folded word has (ASCII letters and digits, non-ASCII bytes,
    // zero padding), so a chunk never cancels its secret to zero and drops out of the multiply.
    private const ulong Secret0 = 0x1D2B_0F17_2C05_1B23UL;
    private const ulong Secret1 = 0x0B27_1F09_2A13_0D2FUL;
    private const ulong Secret2 = 0x9E37_79B9_7F4A_7C15UL;
    private const ulong Secret3 = 0xC2B2_AE3D_27D4_EB4FUL;

    // Loaded at offset 16 - n: n bytes of ones, then zeros; keeps the first n bytes of a 16-byte load.
    private static ReadOnlySpan<byte> LengthMasks =>
    [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// <summary>The hash of one word (UTF-8 of letters and digits); the definition the scanner follows.</summary>
    public static ulong HashWord(ReadOnlySpan<byte> word)
    {
        Span<byte> piece = stackalloc byte[PieceLength];
        ulong h = 0;
        for (var offset = 0; offset < Math.Max(word.Length, 1); offset += PieceLength)
        {
            piece.Clear();
            var part = word.Slice(offset, Math.Min(PieceLength, word.Length - offset));
            for (var k = 0; k < part.Length; k++) piece[k] = part[k] < 0x80 ? (byte)(part[k] | 0x20) : part[k];
            var chunks = MemoryMarshal.Cast<byte, ulong>(piece);
            var pieceHash = Fold(chunks[0] ^ Secret0, chunks[1] ^ Secret1);
            h = offset == 0 ? pieceHash : Fold(h ^ Secret2, pieceHash ^ Secret3);
        }

        return h;
    }

    /// <summary>Word-byte bits of text[start..start+64]; zero beyond the text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MaskAt(ReadOnlySpan<byte> text, int start, ref ulong spill)
    {
        ulong word = 0, nonAscii = 0;
        if (Vector256.IsHardwareAccelerated && start + BlockSize <= text.Length)
        {
            ref var first = ref MemoryMarshal.GetReference(text);
            var low = Vector256.LoadUnsafe(ref first, (nuint)start);
            var high = Vector256.LoadUnsafe(ref first, (nuint)(start + 32));
            word = AsciiWordBits(low) | ((ulong)AsciiWordBits(high) << 32);
            nonAscii = low.ExtractMostSignificantBits() | ((ulong)high.ExtractMostSignificantBits() << 32);
        }
        else
        {
            var end = Math.Min(text.Length, start + BlockSize);
            for (var i = start; i < end; i++)
            {
                if (text[i] >= 0x80) nonAscii |= 1UL << (i - start);
                else if (char.IsAsciiLetterOrDigit((char)text[i])) word |= 1UL << (i - start);
            }
        }

        return (nonAscii | spill) == 0 ? word : WithNonAscii(text, start, word, nonAscii, ref spill);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint AsciiWordBits(Vector256<byte> bytes)
    {
        var letter = Vector256.LessThanOrEqual((bytes | Vector256.Create((byte)0x20)) - Vector256.Create((byte)'a'), Vector256.Create((byte)25));
        var digit = Vector256.LessThanOrEqual(bytes - Vector256.Create((byte)'0'), Vector256.Create((byte)9));
        return (letter | digit).ExtractMostSignificantBits();
    }

    /// <summary>Adds the bytes of non-ASCII letters and digits (rare in most corpora) to the block's word bits.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong WithNonAscii(ReadOnlySpan<byte> text, int start, ulong word, ulong nonAscii, ref ulong spill)
    {
        // The block's first bytes may end a letter of the previous block: decided there.
        word |= spill;
        nonAscii &= ~spill;
        spill = 0;
        while (nonAscii != 0)
        {
            var i = BitOperations.TrailingZeroCount(nonAscii);
            Rune.DecodeFromUtf8(text[(start + i)..], out var rune, out var consumed); // invalid bytes: one at a time, not letters
            var end = i + consumed;
            var bytes = end >= BlockSize ? ~0UL << i : ((1UL << end) - 1) & (~0UL << i);
            nonAscii &= ~bytes;
            if (!Rune.IsLetterOrDigit(rune)) continue;
            word |= bytes;
            if (end > BlockSize) spill = (1UL << (end - BlockSize)) - 1;
        }

        return word;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(ReadOnlySpan<byte> text, int start, int end)
    {
        var length = end - start;
        if (Vector128.IsHardwareAccelerated && length <= PieceLength && start + PieceLength <= text.Length)
        {
            // Nearly every word: one 16-byte load, ASCII folded and cut to the word's length by vector masks.
            var bytes = Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(text), (nuint)start);
            var ascii = Vector128.GreaterThanOrEqual(bytes.AsSByte(), Vector128<sbyte>.Zero).AsByte();
            var keep = Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(LengthMasks), (nuint)(PieceLength - length));
            var chunks = ((bytes | (ascii & Vector128.Create((byte)0x20))) & keep).AsUInt64();
            return Fold(chunks.GetElement(0) ^ Secret0, chunks.GetElement(1) ^ Secret1);
        }

        return HashWord(text.Slice(start, length));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Fold(ulong a, ulong b)
    {
        var high = Math.BigMul(a, b, out var low);
        return high ^ low;
    }
}
