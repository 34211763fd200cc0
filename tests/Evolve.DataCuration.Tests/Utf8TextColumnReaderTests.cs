using System.Buffers.Binary;
using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Deduplication;
using Evolve.DataCuration.Parquet;
using Evolve.DataCuration.Synthetic;
using Parquet;
using Parquet.Meta;
using Parquet.Schema;
using Parquet.Serialization;
using ParquetEncoding = Parquet.Meta.Encoding;

namespace Evolve.DataCuration.Tests;

/// <summary>
/// The signature pass's own text column reader against Parquet.Net on real files: every value it hands out must be
/// the bytes Parquet.Net reads, layouts it does not decode must fall back, and damage must fail with a clear error.
/// </summary>
public sealed class Utf8TextColumnReaderTests
{
    private static readonly string[] Samples =
    [
        "plain ascii text about compilers and linkers", "", "héllo wörld ✓ — naïve façade", "日本語のテキスト", "emoji 🚀🎉 and more",
        string.Join(' ', Enumerable.Range(0, 3000).Select(i => $"word{i % 97}")),
    ];

    [Fact]
    public async Task Generated_shards_read_the_same_bytes_as_parquet_net()
    {
        using var temp = new TempFolder();
        await new SyntheticCorpusGenerator().GenerateAsync(temp.Path, new SyntheticCorpusOptions(2, 700, Seed: 11, RowGroupSize: 300), default);
        foreach (var shard in Directory.GetFiles(temp.Path, "*.parquet"))
        {
            Assert.Equal(3, await AssertSameAsParquetNetAsync(shard, new ShardFormatOptions()));
        }
    }

    [Fact]
    public async Task Nulls_and_empty_strings_stay_apart()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "nulls.parquet");
        string?[] values = [null, "", "first", null, null, "", Samples[2], null, Samples[5], ""];
        await WriteTextAsync(path, values, CompressionMethod.Snappy, rowGroupSize: 6);

        Assert.Equal(2, await AssertSameAsParquetNetAsync(path, new ShardFormatOptions()));
        Assert.Equal(values, await ReadAllAsync(path, new ShardFormatOptions()));
    }

    [Fact]
    public async Task A_text_column_inside_a_struct_is_read_with_its_definition_levels()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "nested.parquet");
        var documents = Enumerable.Range(0, 50).Select(i => new NestedDocument
        {
            Id = i,
            Body = i % 7 == 3 ? null : new NestedBody { Text = i % 5 == 1 ? null : i % 5 == 2 ? "" : Samples[i % Samples.Length] + i },
        }).ToList();
        await ParquetSerializer.SerializeAsync(documents, path, new ParquetOptions { RowGroupSize = 20 });
        var format = new ShardFormatOptions { TextColumn = "Body/Text" };

        await using (var reader = await ShardReader.OpenAsync(path, format, default))
        {
            var text = reader.Fields.Single(f => f.Name == "Text");
            Assert.Equal(2, text.MaxDefinitionLevel); // a nullable string in a nullable struct: levels 0, 1 and 2
        }

        Assert.Equal(3, await AssertSameAsParquetNetAsync(path, format));
        Assert.Equal(documents.Select(d => d.Body?.Text), await ReadAllAsync(path, format));
    }

    [Theory]
    [InlineData(CompressionMethod.None)]
    [InlineData(CompressionMethod.Snappy)]
    [InlineData(CompressionMethod.Gzip)]
    [InlineData(CompressionMethod.Zstd)]
    public async Task Each_supported_codec_is_decoded(CompressionMethod codec)
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, $"{codec}.parquet");
        var values = Enumerable.Range(0, 400).Select(i => i % 13 == 0 ? null : Samples[i % Samples.Length] + " #" + i).ToArray();
        await WriteTextAsync(path, values, codec, rowGroupSize: 150);

        Assert.Equal(3, await AssertSameAsParquetNetAsync(path, new ShardFormatOptions()));
        Assert.Equal(values, await ReadAllAsync(path, new ShardFormatOptions()));
    }

    [Theory]
    [InlineData(CompressionMethod.Brotli)]
    [InlineData(CompressionMethod.LZ4)]
    public async Task Other_codecs_fall_back_to_parquet_net_with_the_same_signatures(CompressionMethod codec)
    {
        using var temp = new TempFolder();
        var values = Enumerable.Range(0, 120).Select(i => i % 9 == 0 ? null : Samples[i % Samples.Length] + " #" + i).ToArray();
        var other = Path.Combine(temp.Path, "other.parquet");
        var snappy = Path.Combine(temp.Path, "snappy.parquet");
        await WriteTextAsync(other, values, codec, rowGroupSize: 50);
        await WriteTextAsync(snappy, values, CompressionMethod.Snappy, rowGroupSize: 50);

        Assert.Equal(0, await AssertSameAsParquetNetAsync(other, new ShardFormatOptions()));
        await AssertSameSignaturesAsync(other, snappy, temp);
    }

    [Fact]
    public async Task A_dictionary_encoded_column_falls_back_to_parquet_net_with_the_same_signatures()
    {
        using var temp = new TempFolder();
        // Few distinct texts: the layout pyarrow and Parquet.Net choose for low-cardinality columns.
        var values = Enumerable.Range(0, 300).Select(i => i % 31 == 0 ? null : Samples[i % 4]).ToArray();
        var dictionary = Path.Combine(temp.Path, "dictionary.parquet");
        var plain = Path.Combine(temp.Path, "plain.parquet");
        await WriteTextAsync(dictionary, values, CompressionMethod.Snappy, rowGroupSize: 100, dictionary: true);
        await WriteTextAsync(plain, values, CompressionMethod.Snappy, rowGroupSize: 100);
        Assert.True(await UsesDictionaryAsync(dictionary));
        Assert.False(await UsesDictionaryAsync(plain));

        Assert.Equal(0, await AssertSameAsParquetNetAsync(dictionary, new ShardFormatOptions()));
        Assert.Equal(3, await AssertSameAsParquetNetAsync(plain, new ShardFormatOptions()));
        await AssertSameSignaturesAsync(dictionary, plain, temp);
    }

    [Theory]
    [InlineData(false, CompressionCodec.SNAPPY)]
    [InlineData(true, CompressionCodec.SNAPPY)]
    [InlineData(true, CompressionCodec.UNCOMPRESSED)]
    public async Task Several_pages_per_chunk_in_v1_and_v2_data_pages(bool v2, CompressionCodec codec)
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "pages.parquet");
        var values = Enumerable.Range(0, 90).Select(i => i % 4 == 1 || i is > 40 and < 52 ? null : Samples[i % Samples.Length] + i).ToArray();
        HandwrittenParquet.Write(path, values, pageSizes: [25, 1, 30, 34], v2, codec);

        Assert.Equal(1, await AssertSameAsParquetNetAsync(path, new ShardFormatOptions()));
        Assert.Equal(values, await ReadAllAsync(path, new ShardFormatOptions()));
    }

    [Fact]
    public async Task A_dictionary_page_the_footer_does_not_announce_still_falls_back()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "unannounced.parquet");
        var values = Enumerable.Range(0, 40).Select(i => i % 6 == 0 ? null : Samples[i % 3]).ToArray();
        HandwrittenParquet.Write(path, values, pageSizes: [15, 25], v2: false, CompressionCodec.SNAPPY, dictionary: true);
        Assert.False(await UsesDictionaryAsync(path));

        Assert.Equal(0, await AssertSameAsParquetNetAsync(path, new ShardFormatOptions()));
        var plain = Path.Combine(temp.Path, "plain.parquet");
        await WriteTextAsync(plain, values, CompressionMethod.Snappy, rowGroupSize: 40);
        await AssertSameSignaturesAsync(path, plain, temp);
    }

    [Fact]
    public async Task A_corrupt_page_header_fails_the_shard_with_a_clear_error()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "corrupt.parquet");
        await WriteTextAsync(path, Enumerable.Range(0, 60).Select(i => Samples[i % Samples.Length] + i).ToArray(), CompressionMethod.Snappy, rowGroupSize: 30);
        var chunk = await TextChunkAsync(path, rowGroup: 1);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes.AsSpan((int)chunk.DataPageOffset, 6).Fill(0xFF); // a field header of an unknown Thrift type
        await File.WriteAllBytesAsync(path, bytes);

        var error = await Assert.ThrowsAsync<InvalidShardException>(() =>
            new SignatureBuilder(new ShardFormatOptions()).BuildAsync(path, Path.Combine(temp.Path, "corrupt.sig"), new DeduplicationOptions(), default));
        Assert.Contains("Row group 1 of 'corrupt.parquet' cannot be read (truncated or corrupt: text column 'text' at byte 0 of its chunk: unknown Thrift type 15",
            error.Message);
        Assert.False(File.Exists(Path.Combine(temp.Path, "corrupt.sig")));
    }

    [Fact]
    public async Task A_shard_cut_off_inside_its_text_chunk_fails_with_a_clear_error()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "cut.parquet");
        await WriteTextAsync(path, Enumerable.Range(0, 60).Select(i => Samples[i % Samples.Length] + i).ToArray(), CompressionMethod.Snappy, rowGroupSize: 30);
        var chunk = await TextChunkAsync(path, rowGroup: 1);
        // Keep the footer (Parquet.Net opens the file) but lose the second half of the last text chunk and all after it.
        var bytes = await File.ReadAllBytesAsync(path);
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(bytes.Length - 8));
        var cut = (int)(chunk.DataPageOffset + chunk.TotalCompressedSize / 2);
        await File.WriteAllBytesAsync(path, [.. bytes[..cut], .. bytes[^(footerLength + 8)..]]);

        var error = await Assert.ThrowsAsync<InvalidShardException>(() =>
            new SignatureBuilder(new ShardFormatOptions()).BuildAsync(path, Path.Combine(temp.Path, "cut.sig"), new DeduplicationOptions(), default));
        Assert.Contains($"Row group 1 of 'cut.parquet' cannot be read (truncated or corrupt: text column 'text' spans bytes {chunk.DataPageOffset}..", error.Message);
        Assert.Contains($"of a file with {cut} bytes before its footer", error.Message);
    }

    [Fact]
    public async Task A_page_longer_than_its_chunk_fails_with_a_clear_error()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "long-page.parquet");
        HandwrittenParquet.Write(path, ["one", "two", "three"], pageSizes: [2, 1], v2: false, CompressionCodec.UNCOMPRESSED, extraPageBytes: 100);

        await using var reader = await ShardReader.OpenAsync(path, new ShardFormatOptions(), default);
        var error = await Assert.ThrowsAsync<InvalidShardException>(() => reader.TryReadTextSpansAsync(0, default));
        Assert.Matches(@"Row group 0 of 'long-page.parquet' cannot be read \(truncated or corrupt: text column 'text' at byte \d+ of its chunk: " +
                       @"the page at byte \d+ of the chunk needs \d+ bytes, \d+ are left\)", error.Message);
    }

    /// <summary>Compares every row group with Parquet.Net's bytes; returns how many row groups the reader decoded itself.</summary>
    private static async Task<int> AssertSameAsParquetNetAsync(string path, ShardFormatOptions format)
    {
        await using var reader = await ShardReader.OpenAsync(path, format, default);
        var decoded = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var expected = await reader.ReadTextUtf8Async(g, default);
            using var actual = await reader.TryReadTextSpansAsync(g, default);
            if (actual is null) continue;
            decoded++;
            Assert.Equal(expected.Length, actual.Count);
            for (var row = 0; row < expected.Length; row++)
            {
                var present = actual.TryGet(row, out var utf8);
                Assert.Equal(expected[row].HasValue, present);
                if (expected[row] is { } bytes) Assert.True(bytes.Span.SequenceEqual(utf8), $"row {row} of row group {g} differs");
            }
        }

        return decoded;
    }

    /// <summary>The texts as the reader hands them out (fast path or, where it declines, Parquet.Net).</summary>
    private static async Task<List<string?>> ReadAllAsync(string path, ShardFormatOptions format)
    {
        var texts = new List<string?>();
        await using var reader = await ShardReader.OpenAsync(path, format, default);
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var rowGroup = await reader.TryReadTextSpansAsync(g, default);
            Assert.NotNull(rowGroup);
            for (var row = 0; row < rowGroup.Count; row++) texts.Add(rowGroup.TryGet(row, out var utf8) ? System.Text.Encoding.UTF8.GetString(utf8) : null);
        }

        return texts;
    }

    private static async Task AssertSameSignaturesAsync(string fallback, string fast, TempFolder temp)
    {
        var builder = new SignatureBuilder(new ShardFormatOptions());
        var options = new DeduplicationOptions();
        var a = ShardSignatures.Read(await builder.BuildAsync(fallback, Path.Combine(temp.Path, "fallback.sig"), options, default));
        var b = ShardSignatures.Read(await builder.BuildAsync(fast, Path.Combine(temp.Path, "fast.sig"), options, default));
        Assert.Equal(b.Present, a.Present);
        Assert.Equal(b.ExactKeys, a.ExactKeys);
        Assert.Equal(b.Signatures, a.Signatures);
        Assert.Equal(b.BandKeys, a.BandKeys);
        Assert.Contains(true, a.Present);
    }

    private static async Task WriteTextAsync(string path, string?[] values, CompressionMethod codec, int rowGroupSize, bool dictionary = false)
    {
        var id = new DataField<int>("id");
        var text = new DataField<string>("text", true);
        var options = new ParquetOptions { CompressionMethod = codec };
        if (dictionary) options.ColumnEncodingHints[text.Name] = EncodingHint.Dictionary;
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, text), stream, options);
        for (var start = 0; start < values.Length; start += rowGroupSize)
        {
            var group = values.Skip(start).Take(rowGroupSize).ToArray();
            using var rowGroup = writer.CreateRowGroup();
            await rowGroup.WriteAsync<int>(id, Enumerable.Range(start, group.Length).ToArray().AsMemory(), null, null, default);
            await rowGroup.WriteAsync(text, group.ToList(), null);
        }
    }

    private static async Task<ColumnMetaData> TextChunkAsync(string path, int rowGroup)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        return reader.OpenRowGroupReader(rowGroup).GetMetadata(reader.Schema.DataFields.Single(f => f.Name == "text"))!.MetaData!;
    }

    private static async Task<bool> UsesDictionaryAsync(string path) =>
        (await TextChunkAsync(path, 0)).Encodings.Any(e => e is ParquetEncoding.RLE_DICTIONARY or ParquetEncoding.PLAIN_DICTIONARY);

    public sealed class NestedDocument
    {
        public int Id { get; set; }

        public NestedBody? Body { get; set; }
    }

    public sealed class NestedBody
    {
        public string? Text { get; set; }
    }
}
