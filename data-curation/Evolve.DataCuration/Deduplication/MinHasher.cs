using System.Runtime.Intrinsics;
using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Cleaning.Text;

namespace Evolve.DataCuration.Deduplication;

/// <summary>
/// MinHash over word shingles. Words are case-folded letter/digit runs, so markup, punctuation and
/// spacing differences barely move the signature. Each shingle hash is spread over all permutations
/// with one vector multiply-xorshift per 8 values: cheap enough to run on every document.
/// </summary>
public sealed class MinHasher
{
    private readonly int shingleSize;
    private readonly uint[] seeds;
    private readonly uint[] multipliers;

    public MinHasher(DeduplicationOptions options)
    {
        options.Validate();
        shingleSize = options.ShingleSize;
        SignatureLength = options.SignatureLength;
        seeds = new uint[SignatureLength];
        multipliers = new uint[SignatureLength];
        var state = 0x853C49E6748FEA9BUL; // fixed: signatures must be comparable across processes and runs
        for (var i = 0; i < SignatureLength; i++)
        {
            state = FastHash.Mix(state + 0x9E3779B97F4A7C15UL);
            seeds[i] = (uint)state;
            multipliers[i] = (uint)(state >> 32) | 1u;
        }
    }

    public int SignatureLength { get; }

    /// <summary>Exact-duplicate key: the text with surrounding whitespace ignored.</summary>
    public static ulong ExactKey(ReadOnlySpan<char> text) => FastHash.Hash64(text.Trim());

    /// <summary>Fills <paramref name="signature"/> (length <see cref="SignatureLength"/>).</summary>
    public void Compute(ReadOnlySpan<char> text, Span<uint> signature)
    {
        signature.Fill(uint.MaxValue);
        Span<ulong> window = stackalloc ulong[shingleSize];
        var words = 0;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !TextStatistics.IsWordChar(text[i])) i++;
            if (i >= text.Length) break;
            var word = 14695981039346656037UL;
            while (i < text.Length && TextStatistics.IsWordChar(text[i]))
            {
                var c = text[i++];
                if (char.IsAsciiLetterUpper(c)) c = (char)(c | 0x20);
                word = (word ^ c) * 1099511628211UL;
            }

            window[words % shingleSize] = word;
            words++;
            if (words >= shingleSize) Update(signature, ShingleHash(window, words));
        }

        if (words is > 0 && words < shingleSize) Update(signature, ShingleHash(window[..words], words));
    }

    /// <summary>Share of equal positions: an estimate of the Jaccard similarity of the shingle sets.</summary>
    public static double Similarity(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b)
    {
        var equal = 0;
        for (var i = 0; i < a.Length; i++) if (a[i] == b[i]) equal++;
        return (double)equal / a.Length;
    }

    private static uint ShingleHash(ReadOnlySpan<ulong> window, int words)
    {
        // Order-sensitive combination of the ring buffer, starting at the oldest word.
        ulong h = 0;
        var n = window.Length;
        for (var k = 0; k < n; k++) h = (h * 0x100000001B3UL) ^ window[(words + k) % n];
        return (uint)FastHash.Mix(h);
    }

    private void Update(Span<uint> signature, uint shingle)
    {
        var value = Vector256.Create(shingle);
        for (var p = 0; p < signature.Length; p += Vector256<uint>.Count)
        {
            var v = (value ^ Vector256.Create(seeds.AsSpan(p, 8))) * Vector256.Create(multipliers.AsSpan(p, 8));
            v ^= Vector256.ShiftRightLogical(v, 15);
            v *= Vector256.Create(0x2C1B3C6Du);
            v ^= Vector256.ShiftRightLogical(v, 12);
            var current = Vector256.Create((ReadOnlySpan<uint>)signature.Slice(p, 8));
            Vector256.Min(current, v).CopyTo(signature.Slice(p, 8));
        }
    }
}
