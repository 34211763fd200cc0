using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>What a text encoding tells the word walk: which units of a 64-unit block are word units, and a word's hash.</summary>
internal interface IWordEncoding<TUnit>
{
    /// <summary>
    /// Word-unit bits of text[start..start+64] (zero beyond the text). <paramref name="spill"/> carries what a block
    /// learnt about the next one (a character that runs into it), for encodings that need it.
    /// </summary>
    static abstract ulong MaskAt(ReadOnlySpan<TUnit> text, int start, ref ulong spill);

    /// <summary>The hash of text[start..end), one word; inlined on the hot path.</summary>
    static abstract ulong Hash(ReadOnlySpan<TUnit> text, int start, int end);
}

/// <summary>
/// Walks the words of a text and hashes each one: the inner loop of MinHash and of word statistics, which see every
/// character of every document in the run. Word boundaries come from one bit mask per 64-unit block (a unit-by-unit
/// scan paid a mispredicted branch per word); a block's word starts and ends are two bit masks walked independently,
/// so finding a word costs a few single-cycle bit operations instead of a chain of dependent searches.
/// </summary>
internal ref struct WordWalk<TUnit, TEncoding>
    where TEncoding : IWordEncoding<TUnit>
{
    private const int BlockSize = 64;
    private const int MaxWordsPerBlock = BlockSize / 2;

    private readonly ReadOnlySpan<TUnit> text;
    private int blockStart;
    private ulong carry; // 1 when the unit before the block belongs to a word
    private int wordStart; // of a word that runs on from an earlier block, or -1
    private ulong spill;

    public WordWalk(ReadOnlySpan<TUnit> text)
    {
        this.text = text;
        blockStart = 0;
        carry = 0;
        wordStart = -1;
        spill = 0;
    }

    /// <summary>
    /// Writes the hashes of the next words into <paramref name="destination"/> (more than 32 long) and returns how
    /// many; 0 when the text is done.
    /// </summary>
    public int Fill(scoped Span<ulong> destination)
    {
        if (destination.Length <= MaxWordsPerBlock) throw new ArgumentException($"Give room for more than {MaxWordsPerBlock} words.", nameof(destination));
        var length = text.Length;
        var count = 0;
        // Unchecked stores: a block adds at most MaxWordsPerBlock words, and the loop stops while that many still fit.
        ref var output = ref MemoryMarshal.GetReference(destination);
        var (block, previous, pending, next) = (blockStart, carry, wordStart, spill); // locals: kept in registers
        while (block < length && count + MaxWordsPerBlock < destination.Length)
        {
            var bits = TEncoding.MaskAt(text, block, ref next);
            var shifted = (bits << 1) | previous;
            var starts = bits & ~shifted;
            var ends = ~bits & shifted; // bit i: a word ended just before unit i
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

                Unsafe.Add(ref output, count++) = TEncoding.Hash(text, start, block + BitOperations.TrailingZeroCount(ends));
                ends &= ends - 1;
            }

            block += BlockSize;
        }

        if (block >= length && pending >= 0)
        {
            destination[count++] = HashOutOfLine(text, pending, length);
            pending = -1;
        }

        (blockStart, carry, wordStart, spill) = (block, previous, pending, next);
        return count;
    }

    /// <summary>For the rare words that straddle blocks or end the text: keeps Fill's inlining budget for the hot call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong HashOutOfLine(ReadOnlySpan<TUnit> text, int start, int end) => TEncoding.Hash(text, start, end);
}
