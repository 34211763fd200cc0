using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Cleaning.Operations;
using Evolve.DataCuration.Parquet;
using Evolve.DataCuration.Synthetic;
using Parquet;

namespace Evolve.DataCuration.Tests;

/// <summary>Operations edit in buffers the document keeps; the curator writes cleaned texts from a per-row-group arena.</summary>
public sealed class DocumentEditingTests
{
    [Fact]
    public void An_edit_reads_the_old_text_until_it_is_committed_and_the_next_edit_builds_on_it()
    {
        var document = new CleaningDocument("first");
        var statistics = new OperationStatistics("test");

        var edit = document.Edit();
        edit.Append(document.Span).Append(" and second");
        Assert.Equal("first", document.Span.ToString());
        statistics.CountEdit(document, edit);
        Assert.Equal("first and second", document.Span.ToString());

        // The next edit writes into the buffer the first text occupied while reading the current one.
        var again = document.Edit();
        again.Append(document.Span[..5]);
        statistics.CountEdit(document, again);
        Assert.Equal("first", document.Text);
        Assert.Equal(2, statistics.Edits);
        Assert.Equal(11, statistics.CharactersRemoved);
    }

    [Fact]
    public void Library_operations_chain_through_buffers_and_a_string_set_by_a_custom_operation_wins()
    {
        var document = new CleaningDocument("<p>Mail  me at jane.doe@example.org</p>\r\nor call 555-123-4567 &amp; more.");
        foreach (var operation in new ICleaningOperation[] { new StripMarkup(), new MaskPii(), new NormalizeWhitespace() })
        {
            operation.Apply(document, new OperationStatistics(operation.Name));
        }

        Assert.Equal("Mail me at <EMAIL>\n\nor call <PHONE> & more.", document.Text); // the block tag and the line break: one blank line
        document.Text = document.Text.ToUpperInvariant();
        new MaskPii().Apply(document, new OperationStatistics("mask-pii"));
        Assert.Equal("MAIL ME AT <EMAIL>\n\nOR CALL <PHONE> & MORE.", document.Span.ToString());
    }

    [Fact]
    public void The_arena_hands_out_texts_that_stay_intact_across_blocks_until_cleared()
    {
        var arena = new TextArena();
        var random = new Random(11);
        for (var round = 0; round < 3; round++)
        {
            var texts = new List<string>();
            var slices = new List<ReadOnlyMemory<char>>();
            for (var i = 0; i < 300; i++)
            {
                var text = new string((char)('a' + random.Next(26)), random.Next(0, 20_000));
                texts.Add(text);
                slices.Add(arena.Add(text));
            }

            var huge = new string('z', 3 << 20); // more than a block: an array of its own
            texts.Add(huge);
            slices.Add(arena.Add(huge));
            for (var i = 0; i < texts.Count; i++) Assert.True(texts[i].AsSpan().SequenceEqual(slices[i].Span), $"round {round}, text {i}");
            arena.Clear();
        }
    }

    /// <summary>A strategy's own operation that edits through the string API, after library operations edited in buffers.</summary>
    private sealed class ShoutShortDocuments : ICleaningOperation
    {
        public string Name => "shout-short";

        public string Parameters => "";

        public void Apply(CleaningDocument document, OperationStatistics statistics)
        {
            if (document.Length < 1500) statistics.CountEdit(document, document.Text, document.Text.ToUpperInvariant());
        }
    }

    [Fact]
    public async Task Curated_shards_hold_exactly_what_the_strategy_makes_of_each_document()
    {
        using var temp = new TempFolder();
        var input = temp.Sub("in");
        await new SyntheticCorpusGenerator().GenerateAsync(input, new SyntheticCorpusOptions(Shards: 2, DocumentsPerShard: 300, Seed: 5, RowGroupSize: 40), default);
        var strategy = new CleaningPipeline("mixed")
            .Add(new StripMarkup()).Add(new RemoveBoilerplate()).Add(new ShoutShortDocuments()).Add(new MaskPii()).Add(new NormalizeWhitespace());

        var manifest = await Curation.Runner().RunAsync(new Processing.CurationRunRequest(input, temp.Sub("out"), strategy, Parallelism: 2), null, default);
        Assert.Equal(2, manifest.ShardsOk);

        foreach (var shard in Directory.GetFiles(input, "*.parquet"))
        {
            var originals = await ReadTextsAsync(shard);
            var expected = new List<string?>();
            foreach (var text in originals)
            {
                if (text is null || TextValidation.IsInvalid(text)) continue; // dropped before cleaning
                var document = new CleaningDocument(text); // a fresh document per text: no buffers shared with other rows
                CleaningPipeline.Apply(strategy, document, CleaningPipeline.CreateStatistics(strategy));
                if (!document.IsRemoved) expected.Add(document.Text);
            }

            var curated = await ReadTextsAsync(Path.Combine(temp.Path, "out", Path.GetFileName(shard)));
            Assert.Equal(expected, curated);
            Assert.Contains(curated, text => text!.Any(char.IsLower));
            Assert.Contains(curated, text => !text!.Any(char.IsLower) && text!.Any(char.IsUpper));
        }
    }

    private static async Task<List<string?>> ReadTextsAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var field = reader.Schema.DataFields.Single(f => f.Name == "text");
        var texts = new List<string?>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var rowGroup = reader.OpenRowGroupReader(g);
            var values = new string?[rowGroup.RowCount];
            await rowGroup.ReadAsync(field, values.AsMemory(), null, default);
            texts.AddRange(values);
        }

        return texts;
    }
}
