using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Parquet;
using Parquet.Meta;
using Parquet.Schema;
using Encoding = Parquet.Meta.Encoding;

namespace Evolve.DataCuration.Parquet;

/// <summary>
/// Reads a shard's text column one row group at a time into pooled buffers, without a byte array per value
/// (Parquet.Net's byte-array path makes one per row: most of the deduplication pass's garbage). Parquet.Net
/// supplies the footer; this reads the column chunk from the file and decodes its pages itself, for the layout
/// text columns have in practice: PLAIN byte arrays in v1 or v2 data pages, uncompressed, Snappy, gzip or
/// Zstandard, with definition levels for nullable or nested columns. Any other layout (dictionary encoding above
/// all) is reported as unsupported, so the caller reads that row group through Parquet.Net instead.
/// </summary>
internal sealed class Utf8TextColumnReader(string path, DataField textField) : IDisposable
{
    /// <summary>"PAR1", at the start of a Parquet file and at its end, after the footer and the footer's 4-byte length.</summary>
    private const int MagicLength = 4;

    private readonly PageDecompressor decompressor = new();
    private SafeFileHandle? file;
    private byte[] levels = [];
    private long? dataEnd;

    /// <summary>Whether the column's shape allows this reader at all (not repeated; levels of at most 8 bits).</summary>
    private bool SupportsField => textField.MaxRepetitionLevel == 0 && textField.MaxDefinitionLevel <= (1 << RleBitPackedHybrid.MaxBitWidth) - 1;

    /// <summary>
    /// The row group's text values, or null when the chunk uses an encoding, codec or page type this reader does not
    /// decode (read it with Parquet.Net then). Corrupt or truncated data throws <see cref="InvalidShardException"/>.
    /// </summary>
    public async Task<Utf8TextRowGroup?> ReadAsync(ParquetRowGroupReader rowGroup, int index, CancellationToken cancellationToken)
    {
        if (!SupportsField) return null;
        if (rowGroup.GetMetadata(textField)?.MetaData is not { } meta || !IsSupported(meta)) return null;

        file ??= Open(index);
        var rowCount = checked((int)rowGroup.RowCount);
        if (meta.NumValues != rowCount) throw Corrupt(index, $"holds {meta.NumValues} values for {rowCount} rows");
        dataEnd ??= await DataEndAsync(index, cancellationToken);
        if (meta.DataPageOffset < MagicLength || meta.TotalCompressedSize <= 0 || meta.TotalCompressedSize > dataEnd - meta.DataPageOffset)
        {
            throw Corrupt(index, $"spans bytes {meta.DataPageOffset}..{meta.DataPageOffset + meta.TotalCompressedSize} of a file with {dataEnd} bytes before its footer");
        }

        if (meta.TotalCompressedSize > Array.MaxLength) return null;
        var length = (int)meta.TotalCompressedSize;
        var raw = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            await ReadExactlyAsync(raw.AsMemory(0, length), meta.DataPageOffset, index, cancellationToken);
            var expected = (int)Math.Clamp(meta.TotalUncompressedSize, 0, Math.Min(Array.MaxLength, 64L * length));
            return Decode(new ArraySegment<byte>(raw, 0, length), meta.Codec, rowCount, expected, index);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    private SafeFileHandle Open(int index)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InvalidShardException.UnreadableRowGroup(path, index, e);
        }
    }

    /// <summary>Where the footer starts: the file ends with the footer, its 4-byte length and the magic.</summary>
    private async Task<long> DataEndAsync(int index, CancellationToken cancellationToken)
    {
        var trailer = new byte[2 * MagicLength];
        var length = RandomAccess.GetLength(file!);
        await ReadExactlyAsync(trailer, length - trailer.Length, index, cancellationToken);
        return length - trailer.Length - BinaryPrimitives.ReadInt32LittleEndian(trailer);
    }

    /// <summary>What the footer already tells: a dictionary or a codec this reader lacks means Parquet.Net's turn.</summary>
    private static bool IsSupported(ColumnMetaData meta) =>
        meta.Type == global::Parquet.Meta.Type.BYTE_ARRAY && PageDecompressor.Supports(meta.Codec) && meta.DictionaryPageOffset is null or 0 &&
        meta.Encodings?.Contains(Encoding.PLAIN_DICTIONARY) != true && meta.Encodings?.Contains(Encoding.RLE_DICTIONARY) != true;

    private async Task ReadExactlyAsync(Memory<byte> buffer, long offset, int index, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await RandomAccess.ReadAsync(file!, buffer[read..], offset + read, cancellationToken);
            }
            catch (IOException e)
            {
                throw InvalidShardException.UnreadableRowGroup(path, index, e);
            }

            if (n == 0) throw Corrupt(index, $"ends at byte {offset + read}, {buffer.Length - read} bytes before the end the footer gives");
            read += n;
        }
    }

    private Utf8TextRowGroup? Decode(ArraySegment<byte> chunk, CompressionCodec codec, int rowCount, int expectedBytes, int index)
    {
        var values = new Utf8TextRowGroup(rowCount, expectedBytes);
        var position = 0;
        try
        {
            while (values.Filled < rowCount)
            {
                if (position >= chunk.Count) throw new InvalidDataException($"the chunk ends after {values.Filled} of {rowCount} values");
                var header = ParquetPageHeader.Read(chunk.AsSpan(position));
                var bodyStart = position + header.HeaderLength;
                if (header.CompressedSize > chunk.Count - bodyStart)
                {
                    throw new InvalidDataException($"the page at byte {position} of the chunk needs {header.CompressedSize} bytes, {chunk.Count - bodyStart} are left");
                }

                if (header.ValueCount > rowCount - values.Filled)
                {
                    throw new InvalidDataException($"the page at byte {position} of the chunk holds {header.ValueCount} values, {rowCount - values.Filled} rows are left");
                }

                var body = chunk.Slice(bodyStart, header.CompressedSize);
                var supported = header.Type switch
                {
                    PageType.DATA_PAGE => ReadDataPage(header, body, codec, values),
                    PageType.DATA_PAGE_V2 => ReadDataPageV2(header, body, codec, values),
                    _ => false, // dictionary (the footer did not say so) and index pages
                };
                if (!supported)
                {
                    values.Dispose();
                    return null;
                }

                position = bodyStart + header.CompressedSize;
            }

            return values;
        }
        catch (InvalidDataException e)
        {
            values.Dispose();
            throw Corrupt(index, $"at byte {position} of its chunk: {e.Message}");
        }
        catch
        {
            values.Dispose();
            throw;
        }
    }

    /// <summary>v1: levels and values are compressed together; levels are prefixed by their byte length.</summary>
    private bool ReadDataPage(ParquetPageHeader header, ArraySegment<byte> body, CompressionCodec codec, Utf8TextRowGroup values)
    {
        var levelsUsed = textField.MaxDefinitionLevel > 0;
        if (header.Encoding != Encoding.PLAIN || (levelsUsed && header.DefinitionLevelEncoding != Encoding.RLE)) return false;
        var start = values.Reserve(header.UncompressedSize);
        var page = values.Bytes(start, header.UncompressedSize);
        decompressor.Decompress(codec, body, page);
        var valuesStart = 0;
        if (levelsUsed)
        {
            if (page.Length < 4) throw new InvalidDataException("the data page ends inside its definition levels' length");
            var levelsLength = BinaryPrimitives.ReadInt32LittleEndian(page);
            if (levelsLength < 0 || levelsLength > page.Length - 4) throw new InvalidDataException($"definition levels of {levelsLength} bytes in a page of {page.Length}");
            DecodeLevels(page.Slice(4, levelsLength), header.ValueCount);
            valuesStart = 4 + levelsLength;
        }

        AddValues(values, start + valuesStart, page[valuesStart..], header.ValueCount, levelsUsed);
        return true;
    }

    /// <summary>v2: uncompressed repetition and definition levels, then the values, compressed unless the header says not.</summary>
    private bool ReadDataPageV2(ParquetPageHeader header, ArraySegment<byte> body, CompressionCodec codec, Utf8TextRowGroup values)
    {
        if (header.Encoding != Encoding.PLAIN) return false;
        var levelBytes = (long)header.RepetitionLevelsLength + header.DefinitionLevelsLength;
        if (levelBytes > body.Count || levelBytes > header.UncompressedSize)
        {
            throw new InvalidDataException($"levels of {levelBytes} bytes in a page of {body.Count} ({header.UncompressedSize} uncompressed)");
        }

        var levelsUsed = textField.MaxDefinitionLevel > 0;
        if (levelsUsed) DecodeLevels(body.AsSpan(header.RepetitionLevelsLength, header.DefinitionLevelsLength), header.ValueCount);
        var valuesLength = header.UncompressedSize - (int)levelBytes;
        var start = values.Reserve(valuesLength);
        var page = values.Bytes(start, valuesLength);
        decompressor.Decompress(header.ValuesCompressed ? codec : CompressionCodec.UNCOMPRESSED, body[(int)levelBytes..], page);
        AddValues(values, start, page, header.ValueCount, levelsUsed);
        return true;
    }

    private void DecodeLevels(ReadOnlySpan<byte> data, int count)
    {
        if (levels.Length < count)
        {
            if (levels.Length > 0) ArrayPool<byte>.Shared.Return(levels);
            levels = ArrayPool<byte>.Shared.Rent(count);
        }

        RleBitPackedHybrid.Decode(data, textField.MaxDefinitionLevel, levels.AsSpan(0, count));
    }

    /// <summary>PLAIN byte arrays: a 4-byte little-endian length, then the bytes. A value exists where its level is the maximum.</summary>
    private void AddValues(Utf8TextRowGroup values, int pageStart, ReadOnlySpan<byte> page, int count, bool levelsUsed)
    {
        var maxLevel = textField.MaxDefinitionLevel;
        var position = 0;
        for (var i = 0; i < count; i++)
        {
            if (levelsUsed && levels[i] != maxLevel)
            {
                values.AddNull();
                continue;
            }

            if (page.Length - position < 4) throw new InvalidDataException($"value {i} of a page of {count} lies past the page's end");
            var length = BinaryPrimitives.ReadInt32LittleEndian(page[position..]);
            position += 4;
            if (length < 0 || length > page.Length - position)
            {
                throw new InvalidDataException($"value {i} of a page of {count} claims {length} bytes, {page.Length - position} are left");
            }

            values.AddValue(pageStart + position, length);
            position += length;
        }
    }

    private InvalidShardException Corrupt(int index, string what) =>
        InvalidShardException.CorruptRowGroup(path, index, $"text column '{textField.Path}' {what}");

    public void Dispose()
    {
        file?.Dispose();
        decompressor.Dispose();
        if (levels.Length > 0) ArrayPool<byte>.Shared.Return(levels);
        levels = [];
    }
}
