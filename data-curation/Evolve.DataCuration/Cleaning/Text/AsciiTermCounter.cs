using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
/// <para>
/// Where the processor has AVX-512 VBMI, a prefilter first answers for 64 positions at once: the terms are spread
/// over eight buckets, and for each of a position's first six characters one byte-table lookup (a single two-table
/// permute of 64 bytes) says which buckets have that character there. Only positions some bucket accepts in full
/// (about 2 % of prose, nearly all of them real hits) reach the filter, which halved detect-domain.
/// </para>
/// </summary>
internal sealed class AsciiTermCounter
{
    private const int Window = 4;
    private const int FilterBits = 16;
    private const int Chunk = 256;
    private const int Lanes = 64; // positions one prefilter step looks at
    private const int Buckets = 8; // bits of a prefilter table entry
    private const int PrefilterWindow = 6; // characters of a position the prefilter looks at

    // ASCII letters fold to lower case, other ASCII stays itself; non-ASCII folds to 0, which no term contains.
    private static readonly byte[] AsciiFold = BuildFold();

    // Bytes, not bits: one load and no shifts per position. The table stays cache resident.
    private readonly byte[] prefixFilter = new byte[1 << FilterBits];
    private readonly byte[] shortTermStarts = new byte[256]; // by folded first character
    private readonly Candidate[][] byFirstChar = new Candidate[256][];
    private readonly int groupCount;
    private readonly bool prefiltered;

    // Prefilter: for the k-th character (k < PrefilterWindow) of a position, which buckets of terms have that character
    // there (terms shorter than k + 1 accept any). A position is a candidate when some bucket accepts all its characters.
    private readonly Vector512<byte>[] bucketTables = new Vector512<byte>[2 * PrefilterWindow];

    [ThreadStatic]
    private static byte[]? foldBuffer;

    /// <param name="groups">Terms per group: printable ASCII, not empty.</param>
    /// <param name="prefilter">Use the AVX-512 prefilter where the processor has it (tests turn it off to check the plain path).</param>
    public AsciiTermCounter(IReadOnlyList<IReadOnlyList<string>> groups, bool prefilter = true)
    {
        prefiltered = prefilter && Avx512Vbmi.IsSupported;
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
        BuildPrefilter(groups.SelectMany(group => group));
    }

    private void BuildPrefilter(IEnumerable<string> terms)
    {
        // Each term goes to the bucket whose chance of letting an ordinary position through grows least (by rough
        // English character frequencies), shortest terms first: a short term accepts any character past its end, so it
        // needs a bucket of its own or one of similar terms, or every position starting like it would pass.
        var accepts = new bool[Buckets, PrefilterWindow, 128];
        foreach (var term in terms.OrderBy(t => t.Length))
        {
            var best = 0;
            var bestGrowth = double.MaxValue;
            for (var b = 0; b < Buckets; b++)
            {
                var growth = PassChance(accepts, b, term) - PassChance(accepts, b, null);
                if (growth < bestGrowth) (best, bestGrowth) = (b, growth);
            }

            for (var k = 0; k < PrefilterWindow; k++)
            {
                for (var c = 0; c < 128; c++) accepts[best, k, c] |= k >= term.Length || c == AsciiFold[term[k]];
            }
        }

        var row = new byte[128];
        for (var k = 0; k < PrefilterWindow; k++)
        {
            for (var c = 0; c < 128; c++)
            {
                row[c] = 0;
                for (var b = 0; b < Buckets; b++) row[c] |= accepts[b, k, c] ? (byte)(1 << b) : (byte)0;
            }

            bucketTables[2 * k] = Vector512.Create(row.AsSpan(0, 64));
            bucketTables[2 * k + 1] = Vector512.Create(row.AsSpan(64, 64));
        }
    }

    /// <summary>How likely bucket <paramref name="b"/> (with <paramref name="term"/> added, if any) lets a position of prose through.</summary>
    private static double PassChance(bool[,,] accepts, int b, string? term)
    {
        var chance = 1.0;
        for (var k = 0; k < PrefilterWindow; k++)
        {
            var share = 0.0;
            for (var c = 1; c < 128; c++)
            {
                var accepted = accepts[b, k, c] || (term is not null && (k >= term.Length || c == AsciiFold[term[k]]));
                if (accepted) share += CharacterShare(c);
            }

            chance *= Math.Min(1, share);
        }

        return chance; // 0 for an empty bucket: it accepts no first character
    }

    /// <summary>A rough share of each folded character in English prose (only the prefilter's layout depends on it).</summary>
    private static double CharacterShare(int c) => c switch
    {
        ' ' => 0.17,
        >= 'a' and <= 'z' => "etaoinsrhdlcumwfgypbvkxjqz".IndexOf((char)c) is var rank ? 0.10 / (1 + rank * 0.35) : 0,
        >= '0' and <= '9' => 0.004,
        _ => 0.002,
    };

    /// <summary>
    /// Adds each group's hits in <paramref name="text"/> to <paramref name="hits"/>, position by position; stops after
    /// the first position at which some group reaches <paramref name="stopAt"/> hits.
    /// </summary>
    public void Count(ReadOnlySpan<char> text, Span<int> hits, int stopAt)
    {
        // Chunks: counting usually stops early, so folding the whole text up front would be wasted. The buffer is the
        // thread's own, not stackalloc: this runs once per line for boilerplate, and zeroing a fresh one each time showed.
        var folded = (foldBuffer ??= new byte[Chunk + Lanes + PrefilterWindow]).AsSpan();
        for (var chunkStart = 0; chunkStart < text.Length; chunkStart += Chunk)
        {
            var positions = Math.Min(Chunk, text.Length - chunkStart);
            var available = Math.Min(positions + PrefilterWindow - 1, text.Length - chunkStart);
            Fold(text.Slice(chunkStart, available), folded);
            folded[available..].Clear(); // past the end: 0, which no term contains
            ref var bytes = ref MemoryMarshal.GetReference(folded);
            if (prefiltered)
            {
                if (CountCandidates(text, chunkStart, positions, ref bytes, hits, stopAt)) return;
                continue;
            }

            for (var i = 0; i < positions; i++)
            {
                if (CountIfFiltered(text, chunkStart, ref bytes, i, hits, stopAt)) return;
            }
        }
    }

    /// <summary>
    /// The chunk's positions as <see cref="Count"/> visits them, but only those the prefilter lets through, 64 at a time:
    /// six table lookups of 64 characters each (one instruction apiece) instead of a filter lookup per position.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool CountCandidates(ReadOnlySpan<char> text, int chunkStart, int positions, ref byte bytes, Span<int> hits, int stopAt)
    {
        var tables = bucketTables;
        for (var block = 0; block < positions; block += Lanes)
        {
            var accepted = Avx512Vbmi.PermuteVar64x8x2(tables[0], Vector512.LoadUnsafe(ref bytes, (nuint)block), tables[1]);
            for (var k = 1; k < PrefilterWindow; k++)
            {
                accepted &= Avx512Vbmi.PermuteVar64x8x2(tables[2 * k], Vector512.LoadUnsafe(ref bytes, (nuint)(block + k)), tables[2 * k + 1]);
            }

            var candidates = (~Vector512.Equals(accepted, Vector512<byte>.Zero)).ExtractMostSignificantBits();
            if (positions - block < Lanes) candidates &= (1UL << (positions - block)) - 1;
            for (; candidates != 0; candidates &= candidates - 1)
            {
                if (CountIfFiltered(text, chunkStart, ref bytes, block + BitOperations.TrailingZeroCount(candidates), hits, stopAt)) return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Position <paramref name="i"/> of the chunk (<paramref name="bytes"/>: its folded characters): looked up in the
    /// filter of the terms' first characters, and counted only if it passes; true when counting should stop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool CountIfFiltered(ReadOnlySpan<char> text, int chunkStart, ref byte bytes, int i, Span<int> hits, int stopAt)
    {
        var key = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref bytes, i));
        return (Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(prefixFilter), FilterIndex(key)) |
                Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(shortTermStarts), (nint)(key & 0xFF))) != 0 &&
            CountAt(text, chunkStart + i, key, hits, stopAt);
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
