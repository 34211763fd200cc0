using System.Runtime.InteropServices;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>
/// Counts how often each line content has been seen in one document. Lines are compared exactly; the table is keyed by
/// a hash of the length and a few characters from the start, middle and end (hashing every character of every line
/// cost more than the rest of the line filter), and only lines that share that key are compared in full. One
/// instance per thread, reused document after document without clearing (entries carry the document's stamp).
/// </summary>
internal sealed class RepeatedLines
{
    [ThreadStatic]
    private static RepeatedLines? cached;

    private Entry[] entries = new Entry[256];
    private int used;
    private int stamp;
    /// <summary>This thread's counter, emptied for the next document.</summary>
    public static RepeatedLines ForNextDocument()
    {
        var counter = cached ??= new RepeatedLines();
        counter.used = 0;
        if (++counter.stamp == int.MaxValue)
        {
            Array.Clear(counter.entries);
            counter.stamp = 1;
        }

        return counter;
    }

    /// <summary>
    /// Records text[start..start+length) once more and returns how often it has been seen, this time included.
    /// <paramref name="text"/> is the whole document, the same for every call until the next <see cref="ForNextDocument"/>.
    /// </summary>
    public int Add(ReadOnlySpan<char> text, int start, int length)
    {
        if (used * 2 >= entries.Length) Grow();
        var line = text.Slice(start, length);
        var key = Key(line);
        var mask = entries.Length - 1;
        var slot = (int)(key & (uint)mask);
        while (true)
        {
            ref var entry = ref entries[slot];
            if (entry.Stamp != stamp)
            {
                entry = new Entry(stamp, key, start, length, 1);
                used++;
                return 1;
            }

            if (entry.Key == key && entry.Length == length && text.Slice(entry.Start, length).SequenceEqual(line)) return ++entry.Count;
            slot = (slot + 1) & mask;
        }
    }

    private static uint Key(ReadOnlySpan<char> line)
    {
        var h = (ulong)line.Length * 0x9E3779B97F4A7C15UL;
        if (line.Length >= 4)
        {
            var bytes = MemoryMarshal.AsBytes(line);
            h ^= MemoryMarshal.Read<ulong>(bytes);
            h = FastHash.Mix(h ^ MemoryMarshal.Read<ulong>(bytes[^8..]));
            h ^= MemoryMarshal.Read<ulong>(bytes[((bytes.Length - 8) / 2 & ~1)..]);
        }
        else
        {
            foreach (var c in line) h = (h ^ c) * 0x100000001B3UL;
        }

        return (uint)FastHash.Mix(h);
    }

    private void Grow()
    {
        var old = entries;
        entries = new Entry[old.Length * 2];
        var mask = entries.Length - 1;
        foreach (var entry in old)
        {
            if (entry.Stamp != stamp) continue;
            var slot = (int)(entry.Key & (uint)mask);
            while (entries[slot].Stamp == stamp) slot = (slot + 1) & mask;
            entries[slot] = entry;
        }
    }

    private record struct Entry(int Stamp, uint Key, int Start, int Length, int Count);
}
