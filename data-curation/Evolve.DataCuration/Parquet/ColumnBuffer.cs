using System.Buffers;
using Parquet;
using Parquet.Schema;

namespace Evolve.DataCuration.Parquet;

/// <summary>One column of one row group in memory: read, narrowed to the kept rows, written back.</summary>
internal abstract class ColumnBuffer
{
    protected ColumnBuffer(DataField field) => Field = field;

    public DataField Field { get; }

    public abstract int Count { get; }

    public abstract ValueTask ReadAsync(ParquetRowGroupReader reader, int rowCount, CancellationToken cancellationToken);

    /// <summary>Keeps only the given rows (ascending), in place.</summary>
    public abstract void Retain(ReadOnlySpan<int> keptRows);

    public abstract Task WriteAsync(ParquetRowGroupWriter writer, CancellationToken cancellationToken);

    public static ColumnBuffer For(DataField field)
    {
        if (field.IsArray || field.MaxRepetitionLevel > 0)
        {
            throw new InvalidShardException(
                $"Column '{field.Path}' is repeated or nested; curation carries only flat columns through. " +
                "Flatten the shard (or drop that column) before curating it.");
        }

        var type = field.ClrType;
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>)) return new StringColumnBuffer(field);
        if (type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>)) return new BinaryColumnBuffer(field);
        if (type.IsValueType)
        {
            var generic = field.IsNullable ? typeof(NullableValueColumnBuffer<>) : typeof(ValueColumnBuffer<>);
            return (ColumnBuffer)Activator.CreateInstance(generic.MakeGenericType(type), field)!;
        }

        throw new InvalidShardException($"Column '{field.Path}' has type {type.Name}, which curation cannot carry through.");
    }

    protected static void Compact<T>(T[] values, ReadOnlySpan<int> keptRows)
    {
        for (var i = 0; i < keptRows.Length; i++) values[i] = values[keptRows[i]];
    }
}

internal sealed class StringColumnBuffer(DataField field) : ColumnBuffer(field)
{
    private string?[] values = [];
    private ReadOnlyMemory<char>?[]? replaced; // rows whose text cleaning changed, as slices of a TextArena
    private int count;

    public override int Count => count;

    public string?[] Values => values;

    public override async ValueTask ReadAsync(ParquetRowGroupReader reader, int rowCount, CancellationToken cancellationToken)
    {
        values = new string?[rowCount];
        replaced = null;
        count = rowCount;
        await reader.ReadAsync(Field, values.AsMemory(), null, cancellationToken);
    }

    /// <summary>Writes <paramref name="text"/> instead of the row's value (no string is made for it).</summary>
    public void Replace(int row, ReadOnlyMemory<char> text)
    {
        replaced ??= new ReadOnlyMemory<char>?[values.Length];
        replaced[row] = text;
    }

    public override void Retain(ReadOnlySpan<int> keptRows)
    {
        Compact(values, keptRows);
        if (replaced is not null) Compact(replaced, keptRows);
        count = keptRows.Length;
    }

    public override async Task WriteAsync(ParquetRowGroupWriter writer, CancellationToken cancellationToken)
    {
        if (replaced is null)
        {
            await writer.WriteAsync(Field, new ArraySegment<string?>(values, 0, count), null);
            return;
        }

        var texts = ArrayPool<ReadOnlyMemory<char>?>.Shared.Rent(count);
        try
        {
            for (var i = 0; i < count; i++) texts[i] = replaced[i] ?? values[i]?.AsMemory();
            await writer.WriteAsync<ReadOnlyMemory<char>>(Field, texts.AsMemory(0, count), null, null, cancellationToken);
        }
        finally
        {
            ArrayPool<ReadOnlyMemory<char>?>.Shared.Return(texts, clearArray: true);
        }
    }
}

internal sealed class BinaryColumnBuffer(DataField field) : ColumnBuffer(field)
{
    private byte[]?[] values = [];
    private int count;

    public override int Count => count;

    public override async ValueTask ReadAsync(ParquetRowGroupReader reader, int rowCount, CancellationToken cancellationToken)
    {
        values = new byte[]?[rowCount];
        count = rowCount;
        await reader.ReadAsync(Field, values.AsMemory(), null, cancellationToken);
    }

    public override void Retain(ReadOnlySpan<int> keptRows)
    {
        Compact(values, keptRows);
        count = keptRows.Length;
    }

    public override Task WriteAsync(ParquetRowGroupWriter writer, CancellationToken cancellationToken) =>
        writer.WriteAsync(Field, new ArraySegment<byte[]?>(values, 0, count), null);
}

internal sealed class ValueColumnBuffer<T>(DataField field) : ColumnBuffer(field)
    where T : struct
{
    private T[] values = [];
    private int count;

    public override int Count => count;

    public override async ValueTask ReadAsync(ParquetRowGroupReader reader, int rowCount, CancellationToken cancellationToken)
    {
        values = new T[rowCount];
        count = rowCount;
        await reader.ReadAsync<T>(Field, values.AsMemory(), null, cancellationToken);
    }

    public override void Retain(ReadOnlySpan<int> keptRows)
    {
        Compact(values, keptRows);
        count = keptRows.Length;
    }

    public override Task WriteAsync(ParquetRowGroupWriter writer, CancellationToken cancellationToken) =>
        writer.WriteAsync<T>(Field, values.AsMemory(0, count), null, null, cancellationToken);
}

internal sealed class NullableValueColumnBuffer<T>(DataField field) : ColumnBuffer(field)
    where T : struct
{
    private T?[] values = [];
    private int count;

    public override int Count => count;

    public override async ValueTask ReadAsync(ParquetRowGroupReader reader, int rowCount, CancellationToken cancellationToken)
    {
        values = new T?[rowCount];
        count = rowCount;
        await reader.ReadAsync<T>(Field, values.AsMemory(), null, cancellationToken);
    }

    public override void Retain(ReadOnlySpan<int> keptRows)
    {
        Compact(values, keptRows);
        count = keptRows.Length;
    }

    public override Task WriteAsync(ParquetRowGroupWriter writer, CancellationToken cancellationToken) =>
        writer.WriteAsync<T>(Field, values.AsMemory(0, count), null, null, cancellationToken);
}
