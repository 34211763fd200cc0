using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
    private const int MaxShingleSize = DeduplicationOptions.MaxShingleSize;
    private const int BatchSize = 256;
    private const ulong MixMultiplier = 0xBF58476D1CE4E5B9UL;

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
        // The word hashes of a batch follow the last shingleSize - 1 of the batch before (zeros at the start of the text:
        // a shingle of the first words has nothing to take out), so every shingle of the batch is at hand.
        var carried = shingleSize - 1;
        Span<ulong> words = stackalloc ulong[MaxShingleSize - 1 + BatchSize];
        words[..carried].Clear();
        Span<ulong> mixed = stackalloc ulong[BatchSize];
        var walk = new WordWalk<byte, Utf8Words>(utf8);
        var binShift = 64 - BitOperations.Log2((uint)SignatureLength);
        ref var bins = ref MemoryMarshal.GetReference(signature);
        long count = 0;
        ulong last = 0;
        int filled;
        while ((filled = walk.Fill(words.Slice(carried, BatchSize))) > 0)
        {
            MixShingles(words[..(carried + filled)], shingleSize, mixed[..filled]);
            // Until shingleSize words were seen there is no whole shingle yet.
            for (var i = (int)Math.Min(Math.Max(carried - count, 0), filled); i < filled; i++) Update(ref bins, binShift, mixed[i]);
            last = mixed[filled - 1];
            words.Slice(filled, carried).CopyTo(words);
            count += filled;
        }

        if (count is > 0 && count < shingleSize) Update(ref bins, binShift, last); // a text shorter than a shingle is one shingle
        Densify(signature);
    }

    /// <summary>
    /// mixed[i] = the mixed hash of the shingle that ends at words[k - 1 + i]: the XOR of its word hashes, each rotated by
    /// 13 bits per position back from its end (a cyclic polynomial), then one multiply that spreads every bit into the
    /// high ones. No shingle depends on the one before, so eight are done at once where the vectors allow.
    /// </summary>
    private static void MixShingles(ReadOnlySpan<ulong> words, int k, Span<ulong> mixed)
    {
        var i = 0;
        ref var first = ref MemoryMarshal.GetReference(words);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + Vector512<ulong>.Count <= mixed.Length; i += Vector512<ulong>.Count)
            {
                var end = (nuint)(k - 1 + i);
                var shingle = Vector512.LoadUnsafe(ref first, end);
                for (var j = 1; j < k; j++)
                {
                    var word = Vector512.LoadUnsafe(ref first, end - (nuint)j);
                    var r = (RollRotation * j) & 63;
                    shingle ^= Vector512.ShiftLeft(word, r) | Vector512.ShiftRightLogical(word, 64 - r);
                }

                ((shingle ^ Vector512.ShiftRightLogical(shingle, 29)) * Vector512.Create(MixMultiplier)).StoreUnsafe(ref MemoryMarshal.GetReference(mixed), (nuint)i);
            }
        }

        for (; i < mixed.Length; i++)
        {
            var shingle = words[k - 1 + i];
            for (var j = 1; j < k; j++) shingle ^= BitOperations.RotateLeft(words[k - 1 + i - j], RollRotation * j);
            mixed[i] = (shingle ^ (shingle >> 29)) * MixMultiplier;
        }
    }

    /// <summary>Share of equal positions: an estimate of the Jaccard similarity of the shingle sets.</summary>
    public static double Similarity(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b)
    {
        var equal = 0;
        for (var i = 0; i < a.Length; i++) if (a[i] == b[i]) equal++;
        return (double)equal / a.Length;
    }

    /// <summary>The shingle, as <see cref="MixShingles"/> mixed it, competes in its bin: its high bits pick the bin and the value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(ref uint bins, int binShift, ulong mixed)
    {
        var value = (uint)(mixed >> (binShift - 31)) & 0x7FFFFFFFu; // 31 bits: the top bit marks borrowed values
        // Branch-free: whether a shingle wins its bin is a coin toss early in a document, which a branch mispredicts.
        ref var slot = ref Unsafe.Add(ref bins, (nint)(mixed >> binShift));
        var difference = (long)value - slot; // negative when the shingle wins its bin
        slot = (uint)(slot + (difference & (difference >> 63)));
    }

    internal static void Densify(Span<uint> signature)
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
