using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Cleaning.Text;

namespace Evolve.DataCuration.Deduplication;

/// <summary>
/// MinHash over word shingles, as one-permutation hashing: each shingle hash picks one of the
/// signature's bins by its low bits and competes there by its high bits, so a shingle costs one
/// comparison instead of one per permutation. Empty bins borrow from the next filled bin
/// (densification), which keeps short documents comparable. Words are case-folded letter/digit runs,
/// so markup, punctuation and spacing differences barely move the signature.
/// </summary>
public sealed class MinHasher
{
    private const ulong RollBase = 0x100000001B3UL;

    private readonly int shingleSize;

    public MinHasher(DeduplicationOptions options)
    {
        options.Validate();
        shingleSize = options.ShingleSize;
        SignatureLength = options.SignatureLength;
        if (!System.Numerics.BitOperations.IsPow2(SignatureLength))
        {
            throw new ArgumentException($"Bands × rows per band must be a power of two for one-permutation MinHash, got {SignatureLength}.");
        }

    }

    public int SignatureLength { get; }

    /// <summary>Exact-duplicate key: the text with surrounding whitespace ignored.</summary>
    public static ulong ExactKey(ReadOnlySpan<char> text) => FastHash.Hash64(text.Trim());

    /// <summary>Fills <paramref name="signature"/> (length <see cref="SignatureLength"/>).</summary>
    public void Compute(ReadOnlySpan<char> text, Span<uint> signature)
    {
        signature.Fill(uint.MaxValue);
        // Rolling polynomial hash over the last shingleSize word hashes: two multiplies per word.
        Span<ulong> window = stackalloc ulong[shingleSize];
        var dropFactor = 1UL;
        for (var k = 0; k < shingleSize; k++) dropFactor *= RollBase;
        ulong rolling = 0;
        var words = 0;
        var slot = 0;
        var i = 0;
        while (WordScanner.NextWord(text, ref i, out var word))
        {
            rolling = rolling * RollBase + word - (words >= shingleSize ? window[slot] * dropFactor : 0);
            window[slot] = word;
            slot = slot + 1 == shingleSize ? 0 : slot + 1;
            words++;
            if (words >= shingleSize) Update(signature, FastHash.Mix(rolling));
        }

        if (words is > 0 && words < shingleSize) Update(signature, FastHash.Mix(rolling));
        Densify(signature);
    }

    /// <summary>Share of equal positions: an estimate of the Jaccard similarity of the shingle sets.</summary>
    public static double Similarity(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b)
    {
        var equal = 0;
        for (var i = 0; i < a.Length; i++) if (a[i] == b[i]) equal++;
        return (double)equal / a.Length;
    }

    private void Update(Span<uint> signature, ulong shingle)
    {
        var bin = (int)(shingle & (uint)(SignatureLength - 1));
        var value = (uint)(shingle >> 33); // 31 bits: the top bit marks borrowed values
        // Branch-free: whether a shingle wins its bin is a coin toss early in a document, which a branch mispredicts.
        ref var slot = ref signature[bin];
        slot = Math.Min(slot, value);
    }

    private static void Densify(Span<uint> signature)
    {
        // Rotation densification: an empty bin takes the value of the next filled bin to its right,
        // offset by the distance so that borrowed values do not collide with genuine ones.
        var n = signature.Length;
        for (var i = 0; i < n; i++)
        {
            if (signature[i] != uint.MaxValue) continue;
            for (var d = 1; d < n; d++)
            {
                var donor = signature[(i + d) % n];
                if (donor < 0x80000000u)
                {
                    signature[i] = ((donor + (uint)d * 0x9E3779B1u) & 0x7FFFFFFFu) | 0x80000000u;
                    break;
                }
            }
        }
    }
}
