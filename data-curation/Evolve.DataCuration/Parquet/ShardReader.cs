using Parquet;
using Parquet.Schema;

namespace Evolve.DataCuration.Parquet;

/// <summary>
/// Streams a shard one row group at a time, so memory depends on the row group size and never on
/// the shard size. Every Parquet.Net failure is turned into an <see cref="InvalidShardException"/>
/// that says which file is broken and how.
/// </summary>
internal sealed class ShardReader : IAsyncDisposable
{
    private readonly ParquetReader reader;
    private readonly string path;
    private readonly int textColumnIndex;
    private DataField? textAsBytes;
    private Utf8TextColumnReader? textSpans;

    private ShardReader(ParquetReader reader, string path, int textColumnIndex)
    {
        this.reader = reader;
        this.path = path;
        this.textColumnIndex = textColumnIndex;
    }

    public ParquetSchema Schema => reader.Schema;

    public int RowGroupCount => reader.RowGroupCount;

    /// <summary>Rows in the whole shard, from the footer (no data is read).</summary>
    public long RowCount => TotalRows(reader);

    public IReadOnlyList<DataField> Fields => reader.Schema.DataFields;

    /// <param name="allowEmpty">Accept a shard without rows (a curated output whose documents were all removed).</param>
    public static async Task<ShardReader> OpenAsync(string path, ShardFormatOptions options, CancellationToken cancellationToken, bool allowEmpty = false)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(path, options.ToParquetOptions(), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidShardException(
                $"'{Path.GetFileName(path)}' is not a readable Parquet file (truncated or corrupt: {e.Message}). " +
                "Re-download or regenerate the shard; the other shards are unaffected.", e);
        }

        try
        {
            var fields = reader.Schema.DataFields;
            var textIndex = Array.FindIndex(fields, f => f.Path.ToString() == options.TextColumn || f.Name == options.TextColumn);
            if (textIndex < 0)
            {
                throw new InvalidShardException(
                    $"'{Path.GetFileName(path)}' has no text column '{options.TextColumn}' (columns: " +
                    $"{string.Join(", ", fields.Select(f => f.Name))}). Set the text column option to the column holding the documents.");
            }

            var textField = fields[textIndex];
            if (textField.ClrType != typeof(string) && textField.ClrType != typeof(ReadOnlyMemory<char>))
            {
                throw new InvalidShardException(
                    $"Text column '{options.TextColumn}' of '{Path.GetFileName(path)}' holds {textField.ClrType.Name}, not UTF-8 strings.");
            }

            foreach (var field in fields) ColumnBuffer.For(field); // fail early on columns we cannot carry
            if (!allowEmpty && (reader.RowGroupCount == 0 || TotalRows(reader) == 0))
            {
                throw new InvalidShardException($"'{Path.GetFileName(path)}' is empty (no rows); remove it from the input or regenerate it.");
            }

            return new ShardReader(reader, path, textIndex);
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
    }

    public async Task<RowGroupBatch> ReadRowGroupAsync(int index, CancellationToken cancellationToken)
    {
        try
        {
            var rowGroup = reader.OpenRowGroupReader(index);
            var rowCount = checked((int)rowGroup.RowCount);
            var fields = reader.Schema.DataFields;
            var columns = new ColumnBuffer[fields.Length];
            for (var i = 0; i < fields.Length; i++)
            {
                columns[i] = ColumnBuffer.For(fields[i]);
                await columns[i].ReadAsync(rowGroup, rowCount, cancellationToken);
            }

            return new RowGroupBatch(columns, textColumnIndex);
        }
        catch (Exception e) when (e is not OperationCanceledException and not InvalidShardException)
        {
            throw InvalidShardException.CorruptRowGroup(path, index, e.Message, e);
        }
    }

    /// <summary>
    /// Only the text column of a row group (the deduplication pass needs nothing else), as its raw UTF-8 bytes: the
    /// caller decodes each document into a buffer it reuses. Decoded to strings or char arrays, the texts were most
    /// of the pass's garbage, twice the size of the bytes.
    /// </summary>
    public async Task<ReadOnlyMemory<byte>?[]> ReadTextUtf8Async(int index, CancellationToken cancellationToken)
    {
        try
        {
            var rowGroup = reader.OpenRowGroupReader(index);
            var values = new ReadOnlyMemory<byte>?[checked((int)rowGroup.RowCount)];
            await rowGroup.ReadAsync<ReadOnlyMemory<byte>>(textAsBytes ??= BytesViewOf(reader.Schema.DataFields[textColumnIndex]), values.AsMemory(), null,
                cancellationToken);
            return values;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw InvalidShardException.CorruptRowGroup(path, index, e.Message, e);
        }
    }

    /// <summary>
    /// The text column of a row group as spans into pooled buffers, nothing allocated per row; null when the column
    /// chunk uses a layout only Parquet.Net decodes (dictionary encoding, say): read it with <see cref="ReadTextUtf8Async"/>.
    /// The caller disposes the result before reading the next row group.
    /// </summary>
    public Task<Utf8TextRowGroup?> TryReadTextSpansAsync(int index, CancellationToken cancellationToken)
    {
        textSpans ??= new Utf8TextColumnReader(path, reader.Schema.DataFields[textColumnIndex]);
        return textSpans.ReadAsync(reader.OpenRowGroupReader(index), index, cancellationToken);
    }

    /// <summary>
    /// The text column declared as binary: Parquet.Net then hands out the stored bytes instead of decoding them. The field
    /// has to sit in a schema of its own with the same path, which is how the reader finds the column chunk.
    /// </summary>
    private static DataField BytesViewOf(DataField text)
    {
        var view = new DataField(text.Name, typeof(byte[]), text.IsNullable);
        Field root = view;
        var path = text.Path.ToList();
        for (var i = path.Count - 2; i >= 0; i--) root = new StructField(path[i], root);
        _ = new ParquetSchema(root);
        return view;
    }

    private static long TotalRows(ParquetReader reader)
    {
        long rows = 0;
        for (var i = 0; i < reader.RowGroupCount; i++) rows += reader.OpenRowGroupReader(i).RowCount;
        return rows;
    }

    public ValueTask DisposeAsync()
    {
        textSpans?.Dispose();
        return reader.DisposeAsync();
    }
}
