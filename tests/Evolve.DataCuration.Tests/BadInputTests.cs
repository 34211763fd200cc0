using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Parquet;
using Evolve.DataCuration.Processing;
using Evolve.DataCuration.Synthetic;
using Parquet;
using Parquet.Schema;

namespace Evolve.DataCuration.Tests;

public sealed class BadInputTests
{
    private static readonly string Prose = string.Join(' ', Enumerable.Range(0, 80).Select(i => $"word{i}")) + ".";

    [Fact]
    public async Task Each_bad_shard_fails_with_a_clear_error_while_the_others_complete()
    {
        using var temp = new TempFolder();
        var input = temp.Sub("in");
        var outDir = temp.Sub("out");
        await new SyntheticCorpusGenerator().GenerateAsync(input, new SyntheticCorpusOptions(2, 60, Seed: 3, RowGroupSize: 30), default);

        await File.WriteAllTextAsync(Path.Combine(input, "bad-corrupt.parquet"), "this is not a parquet file at all, just text");
        var good = await File.ReadAllBytesAsync(Path.Combine(input, "shard-00000.parquet"));
        await File.WriteAllBytesAsync(Path.Combine(input, "bad-truncated.parquet"), good[..(good.Length / 2)]);
        await WriteAsync(Path.Combine(input, "bad-no-text.parquet"), "body", [Prose, Prose]);
        await WriteAsync(Path.Combine(input, "bad-empty.parquet"), "text", []);
        await WriteAsync(Path.Combine(input, "bad-utf8.parquet"), "text", [Prose, "ZZQQ" + Prose], corruptMarker: "ZZQQ");
        await WriteAsync(Path.Combine(input, "ok-nulls.parquet"), "text", [Words("alpha"), null, Words("beta"), null]);

        var manifest = await Curation.Runner().RunAsync(new CurationRunRequest(input, outDir, Curation.Baseline()), null, default);
        var byName = manifest.Shards.ToDictionary(s => s.Shard);

        Assert.True(byName["shard-00000.parquet"].IsOk);
        Assert.True(byName["shard-00001.parquet"].IsOk);
        Assert.True(File.Exists(Path.Combine(outDir, "shard-00001.parquet")));

        AssertFailed(byName["bad-corrupt.parquet"], "not a readable Parquet file");
        AssertFailed(byName["bad-truncated.parquet"], "not a readable Parquet file");
        AssertFailed(byName["bad-no-text.parquet"], "has no text column 'text' (columns: id, body)");
        AssertFailed(byName["bad-empty.parquet"], "is empty (no rows)");
        AssertFailed(byName["bad-utf8.parquet"], "Row 1 (row group 0) of 'bad-utf8.parquet' has invalid UTF-8");
        foreach (var failed in manifest.Shards.Where(s => !s.IsOk)) Assert.False(File.Exists(Path.Combine(outDir, failed.Shard)));

        var nulls = byName["ok-nulls.parquet"];
        Assert.True(nulls.IsOk, nulls.Error);
        Assert.Equal(2, nulls.NullTextDropped);
        Assert.Equal(2, nulls.DocumentsOut);
        Assert.Equal(5, manifest.ShardsFailed);
    }

    [Fact]
    public async Task Invalid_utf8_rows_can_be_dropped_instead()
    {
        using var temp = new TempFolder();
        var input = temp.Sub("in");
        await WriteAsync(Path.Combine(input, "utf8.parquet"), "text", [Prose, "ZZQQ" + Prose], corruptMarker: "ZZQQ");
        var format = new ShardFormatOptions { InvalidText = InvalidTextPolicy.DropDocument };
        var outcome = await Curation.Curator(format).CurateAsync(Path.Combine(input, "utf8.parquet"), temp.Sub("out"), new CleaningPipeline("none"), null, default);
        Assert.True(outcome.Record.IsOk);
        Assert.Equal(1, outcome.Record.InvalidTextDropped);
        Assert.Equal(1, outcome.Record.DocumentsOut);
    }

    private static string Words(string stem) => string.Join(' ', Enumerable.Range(0, 80).Select(i => $"{stem}{i}")) + ".";

    private static void AssertFailed(ShardRecord record, string expected)
    {
        Assert.Equal(ShardRecord.Failed, record.Status);
        Assert.Contains(expected, record.Error);
    }

    /// <summary>A two-column shard (id + <paramref name="textColumn"/>), uncompressed so bytes can be corrupted on purpose.</summary>
    private static async Task WriteAsync(string path, string textColumn, string?[] texts, string? corruptMarker = null)
    {
        var id = new DataField("id", typeof(string), isNullable: false);
        var text = new DataField(textColumn, typeof(string), isNullable: true);
        await using (var stream = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, text), stream, new ParquetOptions { CompressionMethod = CompressionMethod.None });
            if (texts.Length > 0)
            {
                using var rowGroup = writer.CreateRowGroup();
                await rowGroup.WriteAsync(id, texts.Select((_, i) => (string?)$"id-{i}").ToList(), null);
                await rowGroup.WriteAsync(text, texts, null);
            }
        }

        if (corruptMarker is null) return;
        // Replace the marker's first bytes (everywhere: data page and statistics) with bytes that are not UTF-8.
        var bytes = await File.ReadAllBytesAsync(path);
        var latin = System.Text.Encoding.Latin1.GetString(bytes);
        for (var at = latin.IndexOf(corruptMarker, StringComparison.Ordinal); at >= 0; at = latin.IndexOf(corruptMarker, at + 1, StringComparison.Ordinal))
        {
            bytes[at] = 0xFF;
            bytes[at + 1] = 0xC3;
        }

        await File.WriteAllBytesAsync(path, bytes);
    }
}
