using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>
/// The lines of a text, split at '\n' (the last line is whatever follows the last '\n', possibly empty), found from one
/// bit mask of line breaks per 64 characters. Lines are short: an IndexOf per line cost more in calls than in scanning.
/// </summary>
internal ref struct LineWalk
{
    private const int BlockSize = 64;

    private readonly ReadOnlySpan<char> text;
    private int blockStart;
    private ulong breaks; // the current block's line breaks not yet handed out
    private int next; // where the next line starts; past the end when every line was handed out

    public LineWalk(ReadOnlySpan<char> text)
    {
        this.text = text;
        blockStart = -BlockSize;
        breaks = 0;
        next = 0;
    }

    /// <summary>The next line, text[start..end) without its '\n'; false when there are no more.</summary>
    public bool Next(out int start, out int end)
    {
        start = next;
        if (start > text.Length)
        {
            end = start;
            return false;
        }

        while (breaks == 0)
        {
            blockStart += BlockSize;
            if (blockStart >= text.Length)
            {
                end = text.Length;
                next = text.Length + 1;
                return true;
            }

            breaks = BreaksAt(blockStart);
        }

        end = blockStart + BitOperations.TrailingZeroCount(breaks);
        breaks &= breaks - 1;
        next = end + 1;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ulong BreaksAt(int start)
    {
        if (Vector256.IsHardwareAccelerated && start + BlockSize <= text.Length)
        {
            ref var chars = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
            var newline = Vector256.Create((ushort)'\n');
            ulong bits = 0;
            for (var k = 0; k < BlockSize; k += Vector256<ushort>.Count)
            {
                bits |= (ulong)Vector256.Equals(Vector256.LoadUnsafe(ref chars, (nuint)(start + k)), newline).ExtractMostSignificantBits() << k;
            }

            return bits;
        }

        ulong rest = 0;
        var end = Math.Min(text.Length, start + BlockSize);
        for (var i = start; i < end; i++)
        {
            if (text[i] == '\n') rest |= 1UL << (i - start);
        }

        return rest;
    }
}
