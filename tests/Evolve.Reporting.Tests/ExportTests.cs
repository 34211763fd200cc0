using System.Text.Json;
using Evolve.Core;
using Parquet;
using Parquet.Serialization;

namespace Evolve.Reporting.Tests;

public sealed class ExportTests
{
    [Fact]
    public async Task Parquet_export_reads_back_one_row_per_node_with_flat_columns()
    {
        using var campaign = await SampleCampaign.CreateAsync();
        using var storage = await campaign.OpenAsync();
        var path = Path.Combine(campaign.Parent, "export", "nodes.parquet");

        var result = await CampaignExporter.ExportAsync(storage.Nodes, ExportFormat.Parquet, path);

        Assert.Equal(7, result.Rows);
        var rows = (await ParquetSerializer.DeserializeAsync<NodeParquetRow>(path)).Data.ToList();
        Assert.Equal(7, rows.Count);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (long)i), rows.Select(r => r.Round));

        var crossover = rows.Single(r => r.Id == "n00004");
        Assert.Equal("n00003,n00001", crossover.ParentIds);
        Assert.Equal(1.4, crossover.Score);
        Assert.Equal("ok", crossover.Status);
        Assert.Equal(1.4 * 1.5, JsonSerializer.Deserialize<Dictionary<string, double>>(crossover.MetricsJson)!["sum_radii"], 12);
        Assert.Equal(400, crossover.InputTokens);
        Assert.Equal("offline", crossover.Researcher);
        Assert.Equal("// round 4\nreturn Pack(4);\n", crossover.Code);
        Assert.Equal(DateTime.Parse("2026-11-22T10:04:00Z").ToUniversalTime(), crossover.CreatedAt.ToUniversalTime());

        var failed = rows.Single(r => r.Id == "n00002");
        Assert.Null(failed.Score);
        Assert.Equal("compile_error", failed.Status);
        Assert.Equal("CS1002: ; expected at 4:17", failed.Error);
        Assert.Equal("test-model", rows.Single(r => r.Id == "n00006").Model);
        Assert.Equal("c-hex,c-edge", rows.Single(r => r.Id == "n00003").CognitionItemIds);
    }

    [Fact]
    public async Task Parquet_columns_are_snake_case_with_the_documented_names()
    {
        using var campaign = await SampleCampaign.CreateAsync();
        using var storage = await campaign.OpenAsync();
        var path = Path.Combine(campaign.Parent, "nodes.parquet");
        await CampaignExporter.ExportParquetAsync(storage.Nodes, path);

        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream);
        var names = reader.Schema.DataFields.Select(f => f.Name).ToList();

        foreach (var column in new[] { "id", "round", "name", "motivation", "code", "parent_ids", "score", "status", "error", "metrics_json",
                     "island", "visits", "researcher", "model", "input_tokens", "output_tokens", "cost_usd", "created_at", "updated_at" })
            Assert.Contains(column, names);
        Assert.Equal(SampleCampaign.CampaignId, reader.CustomMetadata["evolve.campaign_id"]);
    }

    [Fact]
    public async Task Jsonl_export_round_trips_every_node()
    {
        using var campaign = await SampleCampaign.CreateAsync();
        using var storage = await campaign.OpenAsync();
        // A diverged run may record NaN metrics: the export must carry them.
        await storage.Nodes.CommitNodeAsync(SampleCampaign.Node(7, 0.5, ["n00006"], "diverged", "Try a huge step.") with
        {
            Metrics = new Dictionary<string, double> { ["loss"] = double.NaN, ["combined_score"] = 0.5 },
        });
        var path = Path.Combine(campaign.Parent, "nodes.jsonl");

        var result = await CampaignExporter.ExportJsonlAsync(storage.Nodes, path);

        var lines = await File.ReadAllLinesAsync(path);
        Assert.Equal(8, result.Rows);
        Assert.Equal(8, lines.Length);
        var stored = new List<Node>();
        await foreach (var node in storage.Nodes.AllAsync()) stored.Add(node);
        for (var i = 0; i < lines.Length; i++)
        {
            var read = JsonSerializer.Deserialize<Node>(lines[i], NodeJson.Compact)!;
            // Re-serialising both must give the same text: every field survived, including lists and nested records.
            Assert.Equal(JsonSerializer.Serialize(stored[i], NodeJson.Compact), JsonSerializer.Serialize(read, NodeJson.Compact));
            Assert.Equal(stored[i].Status, read.Status);
        }
        Assert.Contains("\"status\":\"compile_error\"", lines[2]);
        Assert.True(double.IsNaN(JsonSerializer.Deserialize<Node>(lines[7], NodeJson.Compact)!.Metrics["loss"]));
    }

    [Fact]
    public void An_unknown_format_names_the_allowed_ones()
    {
        var error = Assert.Throws<FormatException>(() => ExportFormats.Parse("csv"));
        Assert.Contains("jsonl, parquet", error.Message);
        Assert.Equal(ExportFormat.Parquet, ExportFormats.Parse(" Parquet "));
    }
}
