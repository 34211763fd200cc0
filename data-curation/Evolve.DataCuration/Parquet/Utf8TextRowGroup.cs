using System.Buffers;

namespace Evolve.DataCuration.Parquet;

/// <summary>
/// One row group's text column as UTF-8 bytes in pooled buffers: each row is a slice of one shared buffer (or null),
/// so reading a row allocates nothing. Spans handed out are valid until <see cref="Dispose"/>, which returns the
/// buffers to the pool.
/// </summary>
internal sealed class Utf8TextRowGroup : IDisposable
{
    private const int NullLength = -1;

    private byte[] data;
    private int dataLength;
    private int[] starts;
    private int[] lengths;
    private int filled;

    public Utf8TextRowGroup(int rowCount, int expectedBytes)
    {
        Count = rowCount;
        data = ArrayPool<byte>.Shared.Rent(Math.Max(expectedBytes, 1));
        starts = ArrayPool<int>.Shared.Rent(rowCount);
        lengths = ArrayPool<int>.Shared.Rent(rowCount);
    }

    public int Count { get; }

    /// <summary>Rows given a value or a null so far (while loading).</summary>
    public int Filled => filled;

    /// <summary>False for a null; an empty string is true with an empty span.</summary>
    public bool TryGet(int row, out ReadOnlySpan<byte> utf8)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)row, (uint)filled, nameof(row));
        var length = lengths[row];
        if (length == NullLength)
        {
            utf8 = default;
            return false;
        }

        utf8 = data.AsSpan(starts[row], length);
        return true;
    }

    /// <summary>Appends <paramref name="length"/> bytes for a page body to fill; returns where they start.</summary>
    internal int Reserve(int length)
    {
        var needed = (long)dataLength + length;
        if (needed > Array.MaxLength) throw new InvalidDataException($"text column chunk larger than {Array.MaxLength} bytes uncompressed");
        if (needed > data.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(needed, 2L * data.Length), Array.MaxLength));
            data.AsSpan(0, dataLength).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(data);
            data = larger;
        }

        var start = dataLength;
        dataLength += length;
        return start;
    }

    internal Span<byte> Bytes(int start, int length) => data.AsSpan(start, length);

    internal void AddValue(int start, int length)
    {
        starts[filled] = start;
        lengths[filled++] = length;
    }

    internal void AddNull() => lengths[filled++] = NullLength;

    public void Dispose()
    {
        if (data.Length == 0) return;
        ArrayPool<byte>.Shared.Return(data);
        ArrayPool<int>.Shared.Return(starts);
        ArrayPool<int>.Shared.Return(lengths);
        data = [];
        starts = [];
        lengths = [];
    }
}
