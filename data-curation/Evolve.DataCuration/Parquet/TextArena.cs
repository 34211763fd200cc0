using System.Buffers;

namespace Evolve.DataCuration.Parquet;

/// <summary>
/// Holds the cleaned texts of one row group until it is written, in a few large char blocks that the next row group
/// reuses: one string per cleaned document was most of what cleaning allocated. The blocks come from the shared pool
/// and go back when the shard is done, so the next shard reuses them too.
/// </summary>
internal sealed class TextArena : IDisposable
{
    private const int BlockChars = 1 << 20;
    private readonly List<char[]> blocks = [];
    private int block;
    private int used;

    public ReadOnlyMemory<char> Add(ReadOnlySpan<char> text)
    {
        if (text.Length > BlockChars) return text.ToArray(); // a huge document gets an array of its own
        if (block == blocks.Count || used + text.Length > blocks[block].Length)
        {
            if (block < blocks.Count && used > 0) block++;
            if (block == blocks.Count) blocks.Add(ArrayPool<char>.Shared.Rent(BlockChars));
            used = 0;
        }

        var target = blocks[block].AsMemory(used, text.Length);
        text.CopyTo(target.Span);
        used += text.Length;
        return target;
    }

    /// <summary>Forgets every text handed out (their row group has been written); the blocks are reused.</summary>
    public void Clear()
    {
        block = 0;
        used = 0;
    }

    /// <summary>Returns the blocks to the pool: no text handed out may be used afterwards.</summary>
    public void Dispose()
    {
        foreach (var rented in blocks) ArrayPool<char>.Shared.Return(rented);
        blocks.Clear();
        Clear();
    }
}
