using System.Text.Json;
using System.Text.RegularExpressions;
using Evolve.Durable.Tests.Processes;
using Parquet.Serialization;

namespace Evolve.Reporting.Tests;

/// <summary>One prepared campaign folder shared by the command tests (they only read it, or write under it).</summary>
public sealed class CommandCampaignFixture : IAsyncLifetime
{
    private SampleCampaign? _campaign;
    private SampleCampaign? _empty;

    public SampleCampaign Campaign => _campaign!;
    public SampleCampaign Empty => _empty!;

    public async Task InitializeAsync()
    {
        _campaign = await SampleCampaign.CreateAsync();
        _empty = await SampleCampaign.CreateAsync(withNodes: false);
    }

    public Task DisposeAsync()
    {
        _campaign?.Dispose();
        _empty?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The real `evolve` executable against a real campaign folder: output and exit codes.</summary>
public sealed class CommandTests(CommandCampaignFixture fixture) : IClassFixture<CommandCampaignFixture>
{
    private string Dir => fixture.Campaign.Root;

    [Fact]
    public async Task Status_summarises_outcomes_best_and_improvement()
    {
        var (exit, output) = await EvolveAsync("status", "--campaign-dir", Dir);

        Assert.Equal(0, exit);
        Assert.Contains("7 done (round 0 to 6)", output);
        Assert.Contains("5 ok, 2 failed (compile_error 1, timeout 1)", output);
        Assert.Matches(@"best\s+1\.7\s+n00006 \(round 6\)", output);
        Assert.Contains("+0.7 (+70 %) over round 0", output);
    }

    [Fact]
    public async Task Status_json_is_machine_readable()
    {
        var (exit, output) = await EvolveAsync("status", "--json", "--campaign-dir", Dir);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("n00006", json.RootElement.GetProperty("best").GetProperty("id").GetString());
        Assert.Equal(5, json.RootElement.GetProperty("ok").GetInt64());
        Assert.Equal(1, json.RootElement.GetProperty("byStatus").GetProperty("compile_error").GetInt64());
        Assert.Equal(0.7, json.RootElement.GetProperty("improvement").GetDouble(), 9);
    }

    [Fact]
    public async Task Best_code_prints_only_the_program()
    {
        var (exit, output) = await EvolveAsync("best", "--code", "--campaign-dir", Dir);

        Assert.Equal(0, exit);
        Assert.Equal("// round 6\nreturn Pack(6);\n", output.Replace("\r\n", "\n"));
    }

    [Fact]
    public async Task Nodes_lists_the_top_scores_and_filters_by_status()
    {
        var (exit, top) = await EvolveAsync("nodes", "--top", "3", "--campaign-dir", Dir);
        var (failedExit, failed) = await EvolveAsync("nodes", "--status", "failed", "--json", "--campaign-dir", Dir);

        Assert.Equal(0, exit);
        Assert.Equal(["n00006", "n00003", "n00004"], Regex.Matches(top, @"^n\d{5}", RegexOptions.Multiline).Select(m => m.Value));
        Assert.Contains("3 of 7 nodes", top);
        Assert.Equal(0, failedExit);
        var rows = failed.Trim().Split('\n').Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["n00005", "n00002"], rows.Select(r => r.GetProperty("id").GetString()));
        Assert.Equal("timeout", rows[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_bad_status_or_format_is_a_usage_error()
    {
        var (statusExit, status) = await EvolveAsync("nodes", "--status", "exploded", "--campaign-dir", Dir);
        var (formatExit, format) = await EvolveAsync("export", "--format", "csv", "--campaign-dir", Dir);
        var (topExit, top) = await EvolveAsync("nodes", "--top", "0", "--campaign-dir", Dir);

        Assert.Equal(2, statusExit);
        Assert.Contains("Unknown node status 'exploded'", status);
        Assert.Contains("compile_error", status);
        Assert.Equal(2, formatExit);
        Assert.Contains("Allowed: jsonl, parquet", format);
        Assert.Equal(2, topExit);
        Assert.Contains("--top must be at least 1", top);
    }

    [Fact]
    public async Task Node_shows_everything_recorded_about_one_node()
    {
        var (exit, output) = await EvolveAsync("node", "n00004", "--code", "--campaign-dir", Dir);

        Assert.Equal(0, exit);
        Assert.Contains("parents      n00003, n00001", output);
        Assert.Contains("sum_radii = 2.1", output);
        Assert.Contains("score moved in round 4", output);      // analysis
        Assert.Contains("researcher   offline", output);
        Assert.Contains("400 input + 40 output tokens, $0.0040", output);
        Assert.Contains("return Pack(4);", output);
    }

    [Fact]
    public async Task An_unknown_node_fails_with_close_matches()
    {
        var (exit, output) = await EvolveAsync("node", "n0006", "--campaign-dir", Dir);

        Assert.Equal(1, exit);
        Assert.Contains("No node 'n0006'", output);
        Assert.Contains("Did you mean: n00006", output);
    }

    [Fact]
    public async Task Lineage_walks_back_to_the_root_and_writes_the_page()
    {
        var page = Path.Combine(fixture.Campaign.Parent, "pages", "lineage.html");
        var (exit, output) = await EvolveAsync("lineage", "n00006", "--html", "--output", page, "--campaign-dir", Dir);

        Assert.Equal(0, exit);
        Assert.Contains("lineage of n00006: 3 ancestor(s), root n00000", output);
        var rows = Regex.Matches(output, @"^\s+(\d+)\s+(n\d{5})\s", RegexOptions.Multiline).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        Assert.Equal([("0", "n00006"), ("1", "n00003"), ("2", "n00001"), ("3", "n00000")], rows);
        Assert.Contains("Grow the corner circles.", output);         // first line of n00001's motivation
        Assert.DoesNotContain("They had slack.", output);             // only the first line
        Assert.Contains($"lineage page: {page}", output);
        Assert.Contains("class=\"node on-path focus\" id=\"n00006\"", await File.ReadAllTextAsync(page));
    }

    [Fact]
    public async Task Export_and_plot_write_their_files_and_print_the_paths()
    {
        var parquet = Path.Combine(fixture.Campaign.Parent, "out", "nodes.parquet");
        var (exportExit, exported) = await EvolveAsync("export", "--format", "parquet", "--output", parquet, "--campaign-dir", Dir);
        var (plotExit, plotted) = await EvolveAsync("plot", "--campaign-dir", Dir);

        Assert.Equal(0, exportExit);
        Assert.Contains($"exported 7 nodes (parquet) to {parquet}", exported);
        Assert.Equal(7, (await ParquetSerializer.DeserializeAsync<NodeParquetRow>(parquet)).Data.Count);
        Assert.Equal(0, plotExit);
        var png = Path.Combine(Dir, "plots", "score.png");
        Assert.Equal(png, plotted.Trim());
        Assert.Equal(0x89, (await File.ReadAllBytesAsync(png))[0]);
    }

    [Fact]
    public async Task Missing_and_empty_campaigns_fail_with_a_clear_message()
    {
        var missing = Path.Combine(fixture.Campaign.Parent, "nowhere");
        var (missingExit, missingOutput) = await EvolveAsync("status", "--campaign-dir", missing);
        var (emptyExit, emptyOutput) = await EvolveAsync("best", "--campaign-dir", fixture.Empty.Root);

        Assert.Equal(1, missingExit);
        Assert.Contains($"Campaign directory {missing} does not exist", missingOutput);
        Assert.Equal(1, emptyExit);
        Assert.Contains("has no nodes yet", emptyOutput);
        Assert.Contains("evolve run <task> --campaign-dir", emptyOutput);
        Assert.False(Directory.Exists(missing), "a read-only command must not create the folder it was pointed at");
    }

    private static async Task<(int Exit, string Output)> EvolveAsync(params string[] arguments)
    {
        await using var process = EvolveProcess.Start(arguments);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(90));
        return (exit, process.Output);
    }
}
