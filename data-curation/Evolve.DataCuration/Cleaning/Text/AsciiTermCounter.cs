using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>
/// Counts occurrences of ASCII terms (ASCII letters compared case-insensitively, substring semantics: "trial"
/// also hits in "industrial"), per group, in text order, until one group reaches a limit.
/// <para>
/// Why not <c>SearchValues&lt;string&gt;</c>: with dozens of case-insensitive terms (one of them a single character)
/// it falls back to a per-character automaton plus a call per hit, about 9 ns per character. Here the text is first
/// case-folded to bytes sixteen characters at a time; then the four bytes from each position are looked up in a
/// 64 KiB filter of the terms' first four characters (terms shorter than that are flagged by their first character).
/// No step depends on the previous position's, so the processor overlaps them. Only filter hits are verified.
/// </para>
/// </summary>
internal sealed class AsciiTermCounter
{
    private const int Window = 4;
    private const int FilterBits = 16;
    private const int Chunk = 256;

    // ASCII letters fold to lower case, other ASCII stays itself; non-ASCII folds to 0, which no term contains.
    private static readonly byte[] AsciiFold = BuildFold();

    // Bytes, not bits: one load and no shifts per position. The table stays cache resident.
    private readonly byte[] prefixFilter = new byte[1 << FilterBits];
    private readonly byte[] shortTermStarts = new byte[256]; // by folded first character
    private readonly Candidate[][] byFirstChar = new Candidate[256][];
    private readonly int groupCount;

    [ThreadStatic]
    private static byte[]? foldBuffer;

    /// <param name="groups">Terms per group: printable ASCII, not empty.</param>
    public AsciiTermCounter(IReadOnlyList<IReadOnlyList<string>> groups)
    {
        var buckets = new List<Candidate>?[256];
        for (var group = 0; group < groups.Count; group++)
        {
            foreach (var term in groups[group])
            {
                if (term.Length == 0 || !Ascii.IsValid(term) || term.AsSpan().ContainsAnyInRange('\0', '\u001F'))
                {
                    throw new ArgumentException($"Term '{term}' must be non-empty printable ASCII.", nameof(groups));
                }

                // Little-endian, like the four folded bytes read at a position: the first character is the low byte.
                var prefixLength = Math.Min(Window, term.Length);
                var prefix = 0u;
                for (var k = prefixLength - 1; k >= 0; k--) prefix = (prefix << 8) | AsciiFold[term[k]];
                var mask = prefixLength == Window ? uint.MaxValue : (1u << (8 * prefixLength)) - 1;
                if (prefixLength == Window) prefixFilter[FilterIndex(prefix)] = 1;
                else shortTermStarts[prefix & 0xFF] = 1;
                (buckets[prefix & 0xFF] ??= []).Add(new Candidate(term, prefix, mask, group));
            }
        }

        for (var c = 0; c < buckets.Length; c++) byFirstChar[c] = buckets[c]?.ToArray() ?? [];
        groupCount = groups.Count;
    }

    /// <summary>
    /// Adds each group's hits in <paramref name="text"/> to <paramref name="hits"/>, position by position; stops after
    /// the first position at which some group reaches <paramref name="stopAt"/> hits.
    /// </summary>
    public void Count(ReadOnlySpan<char> text, Span<int> hits, int stopAt)
    {
        // Chunks: counting usually stops early, so folding the whole text up front would be wasted. The buffer is the
        // thread's own, not stackalloc: this runs once per line for boilerplate, and zeroing a fresh one each time showed.
        var folded = (foldBuffer ??= new byte[Chunk + Window - 1]).AsSpan();
        ref var filter = ref MemoryMarshal.GetArrayDataReference(prefixFilter);
        ref var shortStarts = ref MemoryMarshal.GetArrayDataReference(shortTermStarts);
        for (var chunkStart = 0; chunkStart < text.Length; chunkStart += Chunk)
        {
            var positions = Math.Min(Chunk, text.Length - chunkStart);
            var available = Math.Min(positions + Window - 1, text.Length - chunkStart);
            Fold(text.Slice(chunkStart, available), folded);
            folded[available..].Clear(); // past the end: 0, which no term contains
            ref var bytes = ref MemoryMarshal.GetReference(folded);
            for (var i = 0; i < positions; i++)
            {
                var key = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref bytes, i));
                if ((Unsafe.Add(ref filter, FilterIndex(key)) | Unsafe.Add(ref shortStarts, (nint)(key & 0xFF))) != 0 &&
                    CountAt(text, chunkStart + i, key, hits, stopAt))
                {
                    return;
                }
            }
        }
    }

    /// <summary>Whether any term of any group occurs in <paramref name="text"/>.</summary>
    public bool ContainsAny(ReadOnlySpan<char> text)
    {
        Span<int> hits = stackalloc int[groupCount];
        hits.Clear();
        Count(text, hits, stopAt: 1);
        foreach (var count in hits)
        {
            if (count > 0) return true;
        }

        return false;
    }

    /// <summary>
    /// Counts the terms that start at <paramref name="start"/> (<paramref name="key"/>: the folded characters from
    /// there); true when counting should stop.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool CountAt(ReadOnlySpan<char> text, int start, uint key, Span<int> hits, int stopAt)
    {
        var stop = false;
        foreach (var candidate in byFirstChar[key & 0xFF])
        {
            if ((key & candidate.Mask) == candidate.Prefix && text.Length - start >= candidate.Term.Length &&
                Ascii.EqualsIgnoreCase(text.Slice(start, candidate.Term.Length), candidate.Term) && ++hits[candidate.Group] >= stopAt)
            {
                stop = true;
            }
        }

        return stop;
    }

    /// <summary>Case-folds <paramref name="text"/> into <paramref name="folded"/>, one byte per character.</summary>
    private static void Fold(ReadOnlySpan<char> text, Span<byte> folded)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var chars = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
            ref var bytes = ref MemoryMarshal.GetReference(folded);
            for (; i + Vector256<ushort>.Count <= text.Length; i += Vector256<ushort>.Count)
            {
                var block = Vector256.LoadUnsafe(ref chars, (nuint)i);
                var upper = Vector256.LessThan(block - Vector256.Create((ushort)'A'), Vector256.Create((ushort)26));
                block |= upper & Vector256.Create((ushort)0x20);
                block = Vector256.AndNot(block, Vector256.GreaterThan(block, Vector256.Create((ushort)0x7F)));
                Vector128.Narrow(block.GetLower(), block.GetUpper()).StoreUnsafe(ref bytes, (nuint)i);
            }
        }

        var fold = AsciiFold;
        for (; i < text.Length; i++) folded[i] = text[i] < fold.Length ? fold[text[i]] : (byte)0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint FilterIndex(uint key) => (nint)((key * 2654435761u) >> (32 - FilterBits));

    private static byte[] BuildFold()
    {
        var fold = new byte[128];
        for (var c = 1; c < fold.Length; c++) fold[c] = (byte)(char.IsAsciiLetterUpper((char)c) ? c | 0x20 : c);
        return fold;
    }

    /// <param name="Prefix">The folded first characters (up to four), compared as <c>key &amp; Mask</c>.</param>
    private readonly record struct Candidate(string Term, uint Prefix, uint Mask, int Group);
}
