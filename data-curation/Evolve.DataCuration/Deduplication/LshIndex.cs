using System.Numerics;
using System.Runtime.InteropServices;
using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Cleaning.Text;

namespace Evolve.DataCuration.Deduplication;

/// <summary>
/// The LSH band buckets of the duplicate plan: one open-addressing table for all bands, holding the
/// first document seen in each bucket. Sized from the run's document count when it is known up front (it
/// grows past the estimate otherwise), and a lookup and the insert after it touch the same slot (a
/// dictionary per band took 2.5x as long).
/// </summary>
internal sealed class LshIndex
{
    private ulong[] keys; // 0: empty slot
    private int[] documents;
    private int mask;
    private long used;

    public LshIndex(long documentCount, int bands)
    {
        var slots = SlotsFor(documentCount * bands);
        keys = new ulong[slots];
        documents = new int[slots];
        mask = slots - 1;
    }

    // Load factor at most 0.4 keeps linear probes short.
    private static int SlotsFor(long entries)
    {
        var slots = BitOperations.RoundUpToPowerOf2((ulong)Math.Max(16, entries * 5 / 2));
        if (slots > (ulong)Array.MaxLength) throw new InvalidOperationException($"{entries:N0} LSH buckets are too many for one index; partition the run.");
        return (int)slots;
    }

    /// <summary>Band keys of a signature (never 0, which marks an empty slot); <paramref name="bandKeys"/> has one per band.</summary>
    public static void KeysOf(ReadOnlySpan<uint> signature, DeduplicationOptions options, Span<ulong> bandKeys)
    {
        for (var b = 0; b < options.Bands; b++)
        {
            var band = MemoryMarshal.Cast<uint, char>(signature.Slice(b * options.RowsPerBand, options.RowsPerBand));
            // The band number is mixed in: equal values in different bands are different buckets.
            bandKeys[b] = FastHash.Mix(FastHash.Hash64(band) + (ulong)b * 0x9E3779B97F4A7C15UL) | 1;
        }
    }

    /// <summary>The documents heading the buckets the keys fall in (-1 for an empty bucket), one per band.</summary>
    public void Find(ReadOnlySpan<ulong> bandKeys, Span<int> heads)
    {
        for (var b = 0; b < bandKeys.Length; b++)
        {
            var key = bandKeys[b];
            var slot = (int)(key >> 32) & mask;
            heads[b] = -1;
            while (keys[slot] != 0)
            {
                if (keys[slot] == key)
                {
                    heads[b] = documents[slot];
                    break;
                }

                slot = (slot + 1) & mask;
            }
        }
    }

    /// <summary>Makes <paramref name="document"/> the head of every bucket that has none yet.</summary>
    public void Add(ReadOnlySpan<ulong> bandKeys, int document)
    {
        if ((used + bandKeys.Length) * 5 / 2 > keys.Length) Grow(used + bandKeys.Length);
        foreach (var key in bandKeys)
        {
            var slot = (int)(key >> 32) & mask;
            while (keys[slot] != 0 && keys[slot] != key) slot = (slot + 1) & mask;
            if (keys[slot] != 0) continue;
            keys[slot] = key;
            documents[slot] = document;
            used++;
        }
    }

    /// <summary>Makes room for <paramref name="entries"/> buckets in all (a later estimate than the constructor's).</summary>
    public void Reserve(long entries)
    {
        if (entries * 5 / 2 > keys.Length) Grow(entries);
    }

    /// <summary>Past the size estimate: a table twice as large, each bucket keeping its head.</summary>
    private void Grow(long entries)
    {
        var (oldKeys, oldDocuments) = (keys, documents);
        var slots = SlotsFor(Math.Max(entries, (long)oldKeys.Length));
        keys = new ulong[slots];
        documents = new int[slots];
        mask = slots - 1;
        for (var i = 0; i < oldKeys.Length; i++)
        {
            if (oldKeys[i] == 0) continue;
            var slot = (int)(oldKeys[i] >> 32) & mask;
            while (keys[slot] != 0) slot = (slot + 1) & mask;
            keys[slot] = oldKeys[i];
            documents[slot] = oldDocuments[i];
        }
    }
}
