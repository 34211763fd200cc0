using System.Text.RegularExpressions;

namespace Evolve.Reporting.Tests;

public sealed class LineageTests
{
    [Fact]
    public async Task The_page_highlights_exactly_the_best_nodes_ancestry()
    {
        using var campaign = await SampleCampaign.CreateAsync();
        using var storage = await campaign.OpenAsync();

        var path = await CampaignPlots.WriteLineagePageAsync(storage);
        var html = await File.ReadAllTextAsync(path);

        Assert.Equal(Path.Combine(storage.Directory.PlotsDirectory, "lineage.html"), path);
        Assert.Equal(["n00000", "n00001", "n00003", "n00006"], HighlightedIds(html));
        Assert.Contains("class=\"node on-path focus\" id=\"n00006\"", html);
    }

    [Fact]
    public async Task A_crossover_nodes_ancestry_includes_both_parents_lines()
    {
        using var campaign = await SampleCampaign.CreateAsync();
        using var storage = await campaign.OpenAsync();

        var path = await CampaignPlots.WriteLineagePageAsync(storage.Nodes, Path.Combine(campaign.Parent, "x.html"), "n00004");
        var html = await File.ReadAllTextAsync(path);

        Assert.Equal(["n00000", "n00001", "n00003", "n00004"], HighlightedIds(html));
        Assert.Matches("id=\"n00004\">.*also from n00001", html);
    }

    [Fact]
    public async Task Nodes_nest_under_their_first_parent_in_round_order()
    {
        var html = LineagePage.Render(SampleCampaign.Tree(), new LineagePageOptions("t", null, new HashSet<string>()));

        // Depth-first, children in round order: the tree drawn in SampleCampaign's comment.
        var order = Regex.Matches(html, "class=\"node[^\"]*\" id=\"(n\\d+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["n00000", "n00001", "n00003", "n00004", "n00005", "n00006", "n00002"], order);
        // n00003's subtree holds n00004..n00006 and closes before n00002 starts.
        var subtree = html[html.IndexOf("id=\"n00003\"", StringComparison.Ordinal)..html.IndexOf("id=\"n00002\"", StringComparison.Ordinal)];
        Assert.Contains("id=\"n00006\"", subtree);
        Assert.Equal(2, Regex.Matches(subtree, "</ul></details></li>").Count); // closes n00003 and n00001, not n00000
    }

    [Fact]
    public async Task The_page_is_self_contained_and_escapes_node_text()
    {
        var nodes = SampleCampaign.Tree().Select(n => n.Round == 1 ? n with { Name = "<script>alert(1)</script>" } : n).ToList();

        var html = LineagePage.Render(nodes, new LineagePageOptions("lineage", "n00001", new HashSet<string> { "n00001", "n00000" }));

        Assert.DoesNotContain("<script", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.DoesNotMatch("(src|href)=\"https?:", html);
        await Task.CompletedTask;
    }

    private static List<string> HighlightedIds(string html) =>
        Regex.Matches(html, "class=\"node on-path[^\"]*\" id=\"(n\\d+)\"").Select(m => m.Groups[1].Value).Distinct().Order().ToList();
}
