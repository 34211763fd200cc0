namespace Evolve.DataCuration.Parquet;

/// <summary>
/// Holds the cleaned texts of one row group until it is written, in a few large char blocks that the next row group
/// reuses: one string per cleaned document was most of what cleaning allocated.
/// </summary>
internal sealed class TextArena
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
            if (block == blocks.Count) blocks.Add(new char[BlockChars]);
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
}
