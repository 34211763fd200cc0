using Parquet.Meta;
using Encoding = Parquet.Meta.Encoding;

namespace Evolve.DataCuration.Parquet;

/// <summary>
/// What the text column reader needs of a Parquet PageHeader (Thrift struct, field ids from parquet.thrift):
/// sizes, and for data pages (v1 and v2) the value count, encodings and level lengths. Other page types are
/// recognised by <see cref="Type"/> only.
/// </summary>
internal readonly record struct ParquetPageHeader
{
    public PageType Type { get; init; }

    /// <summary>Bytes of the Thrift header itself; the page body follows it.</summary>
    public int HeaderLength { get; init; }

    public int UncompressedSize { get; init; }

    public int CompressedSize { get; init; }

    /// <summary>Values in a data page, nulls included.</summary>
    public int ValueCount { get; init; }

    public Encoding Encoding { get; init; }

    /// <summary>Data page v1: how the definition levels inside the (compressed) body are encoded.</summary>
    public Encoding DefinitionLevelEncoding { get; init; }

    /// <summary>Data page v2: the uncompressed level bytes in front of the values.</summary>
    public int RepetitionLevelsLength { get; init; }

    public int DefinitionLevelsLength { get; init; }

    /// <summary>Data page v2: whether the values section is compressed with the chunk's codec (true unless the writer says otherwise).</summary>
    public bool ValuesCompressed { get; init; }

    public static ParquetPageHeader Read(ReadOnlySpan<byte> data)
    {
        var reader = new ThriftCompactReader(data);
        var header = new ParquetPageHeader { Type = (PageType)(-1), UncompressedSize = -1, CompressedSize = -1, ValuesCompressed = true };
        var dataPage = false;
        var dataPageV2 = false;
        short last = 0;
        while (reader.NextField(ref last, out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == ThriftType.I32:
                    header = header with { Type = (PageType)reader.ReadI32(type) };
                    break;
                case 2 when type == ThriftType.I32:
                    header = header with { UncompressedSize = reader.ReadI32(type) };
                    break;
                case 3 when type == ThriftType.I32:
                    header = header with { CompressedSize = reader.ReadI32(type) };
                    break;
                case 5 when type == ThriftType.Struct:
                    header = ReadDataPageHeader(ref reader, header);
                    dataPage = true;
                    break;
                case 8 when type == ThriftType.Struct:
                    header = ReadDataPageHeaderV2(ref reader, header);
                    dataPageV2 = true;
                    break;
                default:
                    reader.Skip(type); // crc, index and dictionary page headers, fields added after this was written
                    break;
            }
        }

        if (header.UncompressedSize < 0 || header.CompressedSize < 0 || (int)header.Type < 0)
        {
            throw new InvalidDataException(
                $"page header lacks its type or sizes (type {(int)header.Type}, sizes {header.UncompressedSize}/{header.CompressedSize})");
        }

        if ((header.Type == PageType.DATA_PAGE && !dataPage) || (header.Type == PageType.DATA_PAGE_V2 && !dataPageV2))
        {
            throw new InvalidDataException($"{header.Type} page header lacks its data page header");
        }

        if (header.ValueCount < 0 || header.RepetitionLevelsLength < 0 || header.DefinitionLevelsLength < 0)
        {
            throw new InvalidDataException($"page header has negative counts ({header.ValueCount} values, level lengths {header.RepetitionLevelsLength}/{header.DefinitionLevelsLength})");
        }

        return header with { HeaderLength = reader.Position };
    }

    private static ParquetPageHeader ReadDataPageHeader(ref ThriftCompactReader reader, ParquetPageHeader header)
    {
        short last = 0;
        while (reader.NextField(ref last, out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == ThriftType.I32:
                    header = header with { ValueCount = reader.ReadI32(type) };
                    break;
                case 2 when type == ThriftType.I32:
                    header = header with { Encoding = (Encoding)reader.ReadI32(type) };
                    break;
                case 3 when type == ThriftType.I32:
                    header = header with { DefinitionLevelEncoding = (Encoding)reader.ReadI32(type) };
                    break;
                default:
                    reader.Skip(type); // repetition level encoding (no repeated columns here), statistics
                    break;
            }
        }

        return header;
    }

    private static ParquetPageHeader ReadDataPageHeaderV2(ref ThriftCompactReader reader, ParquetPageHeader header)
    {
        short last = 0;
        while (reader.NextField(ref last, out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == ThriftType.I32:
                    header = header with { ValueCount = reader.ReadI32(type) };
                    break;
                case 4 when type == ThriftType.I32:
                    header = header with { Encoding = (Encoding)reader.ReadI32(type) };
                    break;
                case 5 when type == ThriftType.I32:
                    header = header with { DefinitionLevelsLength = reader.ReadI32(type) };
                    break;
                case 6 when type == ThriftType.I32:
                    header = header with { RepetitionLevelsLength = reader.ReadI32(type) };
                    break;
                case 7 when type is ThriftType.BooleanTrue or ThriftType.BooleanFalse:
                    header = header with { ValuesCompressed = ThriftCompactReader.ReadBool(type) };
                    break;
                default:
                    reader.Skip(type); // null and row counts (the levels say the same), statistics
                    break;
            }
        }

        return header;
    }
}
