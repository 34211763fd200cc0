using Parquet;
using Parquet.Schema;

namespace Evolve.DataCuration.Parquet;

/// <summary>Writes row groups with the input's schema to a file the caller later renames into place.</summary>
internal sealed class ShardWriter : IAsyncDisposable
{
    private readonly FileStream stream;
    private readonly ParquetWriter writer;
    private bool completed;

    private ShardWriter(FileStream stream, ParquetWriter writer)
    {
        this.stream = stream;
        this.writer = writer;
    }

    public static async Task<ShardWriter> CreateAsync(string path, ParquetSchema schema, ShardFormatOptions options, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        try
        {
            var writer = await ParquetWriter.CreateAsync(schema, stream, options.ToParquetOptions(), false, cancellationToken);
            return new ShardWriter(stream, writer);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    public async Task WriteAsync(RowGroupBatch batch, CancellationToken cancellationToken)
    {
        if (batch.RowCount == 0) return;
        using var rowGroup = writer.CreateRowGroup();
        foreach (var column in batch.Columns) await column.WriteAsync(rowGroup, cancellationToken);
        rowGroup.CompleteValidate();
    }

    /// <summary>Finishes the file and flushes it to disk, so a rename afterwards publishes complete bytes.</summary>
    public async Task CompleteAsync()
    {
        completed = true;
        await writer.DisposeAsync();
        await stream.FlushAsync();
        stream.Flush(flushToDisk: true);
    }

    public async ValueTask DisposeAsync()
    {
        if (!completed) await writer.DisposeAsync();
        await stream.DisposeAsync();
    }
}
