using System.Buffers.Binary;
using Parquet.Meta;
using ParquetEncoding = Parquet.Meta.Encoding;
using ParquetType = Parquet.Meta.Type;

namespace Evolve.DataCuration.Tests;

/// <summary>
/// Writes a Parquet file with one nullable UTF-8 column "text" in one row group, page by page, for layouts Parquet.Net
/// does not write: several pages per chunk, data page v2 (levels outside the compressed values, a section left
/// uncompressed), bit-packed and run-length definition levels, header fields a reader must skip. Parquet.Net reads
/// these files back, which is what the tests compare against.
/// </summary>
internal static class HandwrittenParquet
{
    /// <param name="extraPageBytes">Added to the last page's compressed size in its header: a page longer than its chunk.</param>
    /// <param name="dictionary">
    /// A dictionary page and dictionary-encoded data pages (v1), which the footer's encodings do not mention: readers must
    /// notice the page types.
    /// </param>
    public static void Write(string path, string?[] values, int[] pageSizes, bool v2, CompressionCodec codec, int extraPageBytes = 0, bool dictionary = false)
    {
        if (pageSizes.Sum() != values.Length) throw new ArgumentException("page sizes must add up to the values");
        using var file = new MemoryStream();
        file.Write("PAR1"u8);
        var chunkStart = file.Position;
        long uncompressedTotal = 0;
        var distinct = values.OfType<string>().Distinct().ToArray();
        if (dictionary)
        {
            var plainDictionary = Plain(distinct);
            var body = Compress(codec, plainDictionary);
            var header = PageHeader(PageType.DICTIONARY_PAGE, plainDictionary.Length, body.Length, w =>
            {
                w.BeginStruct(7);
                w.I32(1, distinct.Length);
                w.I32(2, (int)ParquetEncoding.PLAIN);
                w.EndStruct();
            });
            file.Write(header);
            file.Write(body);
            uncompressedTotal += header.Length + plainDictionary.Length;
        }

        var offset = 0;
        for (var p = 0; p < pageSizes.Length; p++)
        {
            var page = values.AsSpan(offset, pageSizes[p]).ToArray();
            offset += page.Length;
            var levels = EncodeLevels(page.Select(v => v is null ? 0 : 1).ToArray(), bitPacked: p % 2 == 0);
            var plain = dictionary ? DictionaryIndices(page, distinct) : Plain(page);
            var extra = p == pageSizes.Length - 1 ? extraPageBytes : 0;
            byte[] header, body;
            int uncompressed;
            if (v2)
            {
                var compressValues = p != 1; // one page says its values are stored as they are
                var stored = compressValues ? Compress(codec, plain) : plain;
                body = [.. levels, .. stored];
                uncompressed = levels.Length + plain.Length;
                header = PageHeader(PageType.DATA_PAGE_V2, uncompressed, body.Length + extra, w =>
                {
                    w.BeginStruct(8);
                    w.I32(1, page.Length);
                    w.I32(2, page.Count(v => v is null));
                    w.I32(3, page.Length);
                    w.I32(4, (int)ParquetEncoding.PLAIN);
                    w.I32(5, levels.Length);
                    w.I32(6, 0);
                    w.Bool(7, compressValues);
                    WriteStatistics(w, 8);
                    w.EndStruct();
                });
            }
            else
            {
                byte[] content = [.. BitConverter.GetBytes(levels.Length), .. levels, .. plain];
                body = Compress(codec, content);
                uncompressed = content.Length;
                header = PageHeader(PageType.DATA_PAGE, uncompressed, body.Length + extra, w =>
                {
                    w.BeginStruct(5);
                    w.I32(1, page.Length);
                    w.I32(2, (int)(dictionary ? ParquetEncoding.RLE_DICTIONARY : ParquetEncoding.PLAIN));
                    w.I32(3, (int)ParquetEncoding.RLE);
                    w.I32(4, (int)ParquetEncoding.RLE);
                    WriteStatistics(w, 5);
                    w.EndStruct();
                });
            }

            file.Write(header);
            file.Write(body);
            uncompressedTotal += header.Length + uncompressed;
        }

        var chunkLength = file.Position - chunkStart;
        var footer = Footer(values.Length, codec, chunkStart, chunkLength, uncompressedTotal);
        file.Write(footer);
        file.Write(BitConverter.GetBytes(footer.Length));
        file.Write("PAR1"u8);
        File.WriteAllBytes(path, file.ToArray());
    }

    private static byte[] Plain(string?[] values)
    {
        using var plain = new MemoryStream();
        foreach (var value in values)
        {
            if (value is null) continue;
            var bytes = System.Text.Encoding.UTF8.GetBytes(value);
            plain.Write(BitConverter.GetBytes(bytes.Length));
            plain.Write(bytes);
        }

        return plain.ToArray();
    }

    /// <summary>RLE_DICTIONARY: the bit width of the indices, then one run per stretch of equal indices.</summary>
    private static byte[] DictionaryIndices(string?[] page, string[] distinct)
    {
        var indices = page.OfType<string>().Select(v => Array.IndexOf(distinct, v)).ToArray();
        return [(byte)Math.Max(1, 32 - int.LeadingZeroCount(distinct.Length - 1)), .. EncodeLevels(indices, bitPacked: false)];
    }

    /// <summary>Bit width 1 (runs: up to 8): either all values bit-packed (padded to groups of eight), or one run per stretch of equal values.</summary>
    private static byte[] EncodeLevels(int[] levels, bool bitPacked)
    {
        using var encoded = new MemoryStream();
        if (bitPacked)
        {
            var groups = (levels.Length + 7) / 8;
            WriteVarint(encoded, (uint)(groups << 1 | 1));
            for (var g = 0; g < groups; g++)
            {
                byte packed = 0;
                for (var i = 0; i < 8 && g * 8 + i < levels.Length; i++) packed |= (byte)(levels[g * 8 + i] << i);
                encoded.WriteByte(packed);
            }
        }
        else
        {
            for (var start = 0; start < levels.Length;)
            {
                var end = start;
                while (end < levels.Length && levels[end] == levels[start]) end++;
                WriteVarint(encoded, (uint)((end - start) << 1));
                encoded.WriteByte((byte)levels[start]);
                start = end;
            }
        }

        return encoded.ToArray();
    }

    private static byte[] Compress(CompressionCodec codec, byte[] data) => codec switch
    {
        CompressionCodec.UNCOMPRESSED => data,
        CompressionCodec.SNAPPY => Snappier.Snappy.CompressToArray(data),
        _ => throw new ArgumentOutOfRangeException(nameof(codec)),
    };

    private static byte[] PageHeader(PageType type, int uncompressed, int compressed, Action<ThriftWriter> pageTypeHeader)
    {
        var w = new ThriftWriter();
        w.I32(1, (int)type);
        w.I32(2, uncompressed);
        w.I32(3, compressed);
        pageTypeHeader(w);
        // A field no reader knows, holding a list of structs: it must be skipped, not misread.
        w.ListBegin(42, ThriftWriter.Struct, 2);
        for (var i = 0; i < 2; i++)
        {
            w.BeginListStruct();
            w.Binary(1, "unknown"u8.ToArray());
            w.I64(2, -1234567890123L);
            w.EndStruct();
        }

        return w.End();
    }

    /// <summary>Statistics with min and max values, null count and a flag: a nested struct the page reader skips.</summary>
    private static void WriteStatistics(ThriftWriter w, short id)
    {
        w.BeginStruct(id);
        w.I64(3, 7);
        w.Binary(5, "zzz"u8.ToArray());
        w.Binary(6, "aaa"u8.ToArray());
        w.Bool(7, true);
        w.EndStruct();
    }

    private static byte[] Footer(int rows, CompressionCodec codec, long chunkStart, long chunkLength, long uncompressedTotal)
    {
        var w = new ThriftWriter();
        w.I32(1, 2); // version
        w.ListBegin(2, ThriftWriter.Struct, 2); // schema: the root and the column
        w.BeginListStruct();
        w.Binary(4, "schema"u8.ToArray());
        w.I32(5, 1);
        w.EndStruct();
        w.BeginListStruct();
        w.I32(1, (int)ParquetType.BYTE_ARRAY);
        w.I32(3, (int)FieldRepetitionType.OPTIONAL);
        w.Binary(4, "text"u8.ToArray());
        w.I32(6, (int)ConvertedType.UTF8);
        w.EndStruct();
        w.I64(3, rows);
        w.ListBegin(4, ThriftWriter.Struct, 1); // row groups
        w.BeginListStruct();
        w.ListBegin(1, ThriftWriter.Struct, 1); // column chunks
        w.BeginListStruct();
        w.I64(2, chunkStart);
        w.BeginStruct(3); // column metadata
        w.I32(1, (int)ParquetType.BYTE_ARRAY);
        w.ListBegin(2, ThriftWriter.I32Type, 2);
        w.I32Value((int)ParquetEncoding.PLAIN);
        w.I32Value((int)ParquetEncoding.RLE);
        w.ListBegin(3, ThriftWriter.BinaryType, 1);
        w.BinaryValue("text"u8.ToArray());
        w.I32(4, (int)codec);
        w.I64(5, rows);
        w.I64(6, uncompressedTotal);
        w.I64(7, chunkLength);
        w.I64(9, chunkStart);
        w.EndStruct();
        w.EndStruct();
        w.I64(2, uncompressedTotal);
        w.I64(3, rows);
        w.EndStruct();
        return w.End();
    }

    private static void WriteVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        stream.WriteByte((byte)value);
    }

    /// <summary>Thrift compact protocol, writing side, just enough for page headers and a one-column footer.</summary>
    private sealed class ThriftWriter
    {
        public const byte I32Type = 5;
        public const byte BinaryType = 8;
        public const byte Struct = 12;

        private readonly MemoryStream stream = new();
        private readonly Stack<short> lastIds = new();
        private short lastId;

        public void I32(short id, int value)
        {
            Field(id, I32Type);
            I32Value(value);
        }

        public void I32Value(int value) => WriteVarint(stream, (uint)((value << 1) ^ (value >> 31)));

        public void I64(short id, long value)
        {
            Field(id, 6);
            WriteVarint(stream, (ulong)((value << 1) ^ (value >> 63)));
        }

        public void Bool(short id, bool value) => Field(id, value ? (byte)1 : (byte)2);

        public void Binary(short id, byte[] value)
        {
            Field(id, BinaryType);
            BinaryValue(value);
        }

        public void BinaryValue(byte[] value)
        {
            WriteVarint(stream, (uint)value.Length);
            stream.Write(value);
        }

        public void ListBegin(short id, byte elementType, int count)
        {
            Field(id, 9);
            stream.WriteByte((byte)(count << 4 | elementType));
        }

        public void BeginStruct(short id)
        {
            Field(id, Struct);
            BeginListStruct();
        }

        public void BeginListStruct()
        {
            lastIds.Push(lastId);
            lastId = 0;
        }

        public void EndStruct()
        {
            stream.WriteByte(0);
            lastId = lastIds.Pop();
        }

        public byte[] End()
        {
            stream.WriteByte(0);
            return stream.ToArray();
        }

        private void Field(short id, byte type)
        {
            var delta = id - lastId;
            if (delta is > 0 and <= 15)
            {
                stream.WriteByte((byte)(delta << 4 | type));
            }
            else
            {
                stream.WriteByte(type);
                WriteVarint(stream, (ushort)((id << 1) ^ (id >> 15)));
            }

            lastId = id;
        }
    }
}
