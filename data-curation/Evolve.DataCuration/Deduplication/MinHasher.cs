using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Cleaning.Text;

namespace Evolve.DataCuration.Deduplication;

/// <summary>
/// MinHash over word shingles, as one-permutation hashing: each shingle hash picks one of the
/// signature's bins by its top bits and competes there by the bits below, so a shingle costs one
/// comparison instead of one per permutation. Empty bins borrow from the next filled bin
/// (densification), which keeps short documents comparable. Words are case-folded letter/digit runs,
/// so markup, punctuation and spacing differences barely move the signature. Works on the UTF-8 text
/// as stored (<see cref="Utf8Words"/>): the signature pass never decodes it.
/// </summary>
public sealed class MinHasher
{
    private const int RollRotation = 13;
    private const int RingSize = DeduplicationOptions.MaxShingleSize; // a power of two

    private readonly int shingleSize;

    public MinHasher(DeduplicationOptions options)
    {
        options.Validate();
        shingleSize = options.ShingleSize;
        SignatureLength = options.SignatureLength;
        if (!BitOperations.IsPow2(SignatureLength))
        {
            throw new ArgumentException($"Bands × rows per band must be a power of two for one-permutation MinHash, got {SignatureLength}.");
        }

    }

    public int SignatureLength { get; }

    /// <summary>Exact-duplicate key of UTF-8 text: its bytes with surrounding whitespace (as <c>string.Trim</c> sees it) ignored.</summary>
    public static ulong ExactKey(ReadOnlySpan<byte> utf8) => FastHash.Hash64(TrimWhiteSpace(utf8));

    /// <summary>The UTF-8 text without leading and trailing white-space characters (<see cref="Rune.IsWhiteSpace"/>).</summary>
    public static ReadOnlySpan<byte> TrimWhiteSpace(ReadOnlySpan<byte> utf8)
    {
        while (!utf8.IsEmpty && Rune.DecodeFromUtf8(utf8, out var first, out var length) == OperationStatus.Done && Rune.IsWhiteSpace(first))
        {
            utf8 = utf8[length..];
        }

        while (!utf8.IsEmpty && Rune.DecodeLastFromUtf8(utf8, out var last, out var length) == OperationStatus.Done && Rune.IsWhiteSpace(last))
        {
            utf8 = utf8[..^length];
        }

        return utf8;
    }

    /// <summary>Fills <paramref name="signature"/> (length <see cref="SignatureLength"/>) from UTF-8 text.</summary>
    public void Compute(ReadOnlySpan<byte> utf8, Span<uint> signature)
    {
        signature.Fill(uint.MaxValue);
        // A shingle's hash is the XOR of its word hashes rotated by their position (a cyclic polynomial), kept
        // rolling without multiplies: rotate, add the new word, take out the word that left. The ring starts
        // zeroed, so nothing is taken out until shingleSize words were seen.
        Span<ulong> ringSpan = stackalloc ulong[RingSize];
        ringSpan.Clear();
        ref var ring = ref MemoryMarshal.GetReference(ringSpan);
        var leavingRotation = (RollRotation * shingleSize) & 63;
        ulong rolling = 0;
        long count = 0;
        Span<ulong> batch = stackalloc ulong[256];
        var words = new WordWalk<byte, Utf8Words>(utf8);
        int filled;
        var binShift = 64 - BitOperations.Log2((uint)SignatureLength);
        ref var bins = ref MemoryMarshal.GetReference(signature);
        while ((filled = words.Fill(batch)) > 0)
        {
            foreach (var word in batch[..filled])
            {
                rolling = BitOperations.RotateLeft(rolling, RollRotation) ^ word ^
                          BitOperations.RotateLeft(Unsafe.Add(ref ring, (nint)((count - shingleSize) & (RingSize - 1))), leavingRotation);
                Unsafe.Add(ref ring, (nint)(count & (RingSize - 1))) = word;
                count++;
                if (count >= shingleSize) Update(ref bins, binShift, rolling);
            }
        }

        if (count is > 0 && count < shingleSize) Update(ref bins, binShift, rolling);
        Densify(signature);
    }

    /// <summary>Share of equal positions: an estimate of the Jaccard similarity of the shingle sets.</summary>
    public static double Similarity(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b)
    {
        var equal = 0;
        for (var i = 0; i < a.Length; i++) if (a[i] == b[i]) equal++;
        return (double)equal / a.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(ref uint bins, int binShift, ulong shingle)
    {
        // One multiply spreads every bit of the shingle into the high bits, which pick the bin and the value.
        var mixed = (shingle ^ (shingle >> 29)) * 0xBF58476D1CE4E5B9UL;
        var value = (uint)(mixed >> (binShift - 31)) & 0x7FFFFFFFu; // 31 bits: the top bit marks borrowed values
        // Branch-free: whether a shingle wins its bin is a coin toss early in a document, which a branch mispredicts.
        ref var slot = ref Unsafe.Add(ref bins, (nint)(mixed >> binShift));
        var difference = (long)value - slot; // negative when the shingle wins its bin
        slot = (uint)(slot + (difference & (difference >> 63)));
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
