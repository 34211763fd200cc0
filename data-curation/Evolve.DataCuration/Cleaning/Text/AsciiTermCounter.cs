using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>
/// Counts occurrences of ASCII terms (ASCII letters compared case-insensitively, substring semantics: "trial"
/// also hits in "industrial"), per group, in text order, until one group reaches a limit.
/// <para>
/// Why not <c>SearchValues&lt;string&gt;</c>: with dozens of case-insensitive terms (one of them a single character)
/// it falls back to a per-character automaton plus a call per hit, about 9 ns per character. Here one pass keeps the
/// case-folded last four characters in a window and looks it up in a 64 KiB filter of the terms' first four
/// characters; terms shorter than that are flagged by their first character. Only filter hits are verified.
/// </para>
/// </summary>
internal sealed class AsciiTermCounter
{
    private const int Window = 4;
    private const int FilterSize = 1 << 16; // FilterIndex yields 16 bits
    private const ulong WindowMask = (1UL << (8 * Window)) - 1;

    // ASCII letters fold to lower case, other ASCII stays itself; non-ASCII folds to 0, which no term contains.
    private static readonly byte[] AsciiFold = BuildFold();

    // Bytes, not bits: one load and no shifts in the per-character loop. The table stays cache resident.
    private readonly byte[] prefixFilter = new byte[FilterSize];
    private readonly byte[] shortTermStarts = new byte[128]; // by folded first character
    private readonly Candidate[][] byFirstChar = new Candidate[128][];
    private readonly int groupCount;

    /// <param name="groups">Terms per group: printable ASCII, not empty.</param>
    public AsciiTermCounter(IReadOnlyList<IReadOnlyList<string>> groups)
    {
        var buckets = new List<Candidate>?[128];
        for (var group = 0; group < groups.Count; group++)
        {
            foreach (var term in groups[group])
            {
                if (term.Length == 0 || !Ascii.IsValid(term) || term.AsSpan().ContainsAnyInRange('\0', '\u001F'))
                {
                    throw new ArgumentException($"Term '{term}' must be non-empty printable ASCII.", nameof(groups));
                }

                var prefixLength = Math.Min(Window, term.Length);
                var prefix = 0UL;
                for (var k = 0; k < prefixLength; k++) prefix = (prefix << 8) | AsciiFold[term[k]];
                if (prefixLength == Window) prefixFilter[FilterIndex(prefix)] = 1;
                else shortTermStarts[AsciiFold[term[0]]] = 1;
                (buckets[AsciiFold[term[0]]] ??= []).Add(new Candidate(term, prefix, 8 * (Window - prefixLength), group));
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
        ReadOnlySpan<byte> fold = AsciiFold;
        var window = 0UL;
        var primed = Math.Min(text.Length, Window - 1);
        for (var i = 0; i < primed; i++) window = (window << 8) | Fold(fold, text[i]);

        // The window holds text[i-Window+1..i]; its start is the candidate, so hits are counted in text order.
        for (var i = primed; (i = NextCandidate(text, i, ref window)) < text.Length; i++)
        {
            if (CountAt(text, i - (Window - 1), window, hits, stopAt)) return;
        }

        // The last starts, whose window runs past the end (padded with 0, which no term contains).
        for (var start = Math.Max(0, text.Length - (Window - 1)); start < text.Length; start++)
        {
            window = 0;
            for (var k = 0; k < Window; k++) window = (window << 8) | (start + k < text.Length ? Fold(fold, text[start + k]) : 0UL);
            if (CountAt(text, start, window, hits, stopAt)) return;
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
    /// The first position at or after <paramref name="from"/> whose window passes the filter, or the text's length;
    /// <paramref name="window"/> is carried in and out.
    /// </summary>
    private int NextCandidate(ReadOnlySpan<char> text, int from, ref ulong window)
    {
        // Locals only and no calls: this loop runs once per character, and anything spilled costs more than the work.
        ReadOnlySpan<byte> fold = AsciiFold;
        ref var filter = ref MemoryMarshal.GetArrayDataReference(prefixFilter);
        ref var shortStarts = ref MemoryMarshal.GetArrayDataReference(shortTermStarts);
        var w = window;
        var i = from;
        for (; i < text.Length; i++)
        {
            w = ((w << 8) | Fold(fold, text[i])) & WindowMask;
            // The first character is a folded byte below 128, so it indexes shortStarts without a check.
            if ((Unsafe.Add(ref filter, FilterIndex(w)) | Unsafe.Add(ref shortStarts, (nint)(w >> (8 * (Window - 1))))) != 0) break;
        }

        window = w;
        return i;
    }

    /// <summary>
    /// Counts the terms that start at <paramref name="start"/> (<paramref name="window"/>: the folded characters from
    /// there); true when counting should stop.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool CountAt(ReadOnlySpan<char> text, int start, ulong window, Span<int> hits, int stopAt)
    {
        var stop = false;
        foreach (var candidate in byFirstChar[window >> (8 * (Window - 1))])
        {
            if (window >> candidate.Shift == candidate.Prefix && text.Length - start >= candidate.Term.Length &&
                Ascii.EqualsIgnoreCase(text.Slice(start, candidate.Term.Length), candidate.Term) && ++hits[candidate.Group] >= stopAt)
            {
                stop = true;
            }
        }

        return stop;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Fold(ReadOnlySpan<byte> fold, char c) => c < (uint)fold.Length ? fold[c] : 0UL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint FilterIndex(ulong window) => (nint)((window * 0x9E3779B97F4A7C15UL) >> (64 - 16));

    private static byte[] BuildFold()
    {
        var fold = new byte[128];
        for (var c = 1; c < fold.Length; c++) fold[c] = (byte)(char.IsAsciiLetterUpper((char)c) ? c | 0x20 : c);
        return fold;
    }

    /// <param name="Prefix">The folded first characters (up to the window), compared as <c>window &gt;&gt; Shift</c>.</param>
    private readonly record struct Candidate(string Term, ulong Prefix, int Shift, int Group);
}
