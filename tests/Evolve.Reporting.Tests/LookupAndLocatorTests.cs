using Evolve.Core;
using Evolve.Storage;

namespace Evolve.Reporting.Tests;

public sealed class LookupAndLocatorTests
{
    [Theory]
    [InlineData("n00004", "n00004")]
    [InlineData("6", "n00006")]
    [InlineData("r3", "n00003")]
    [InlineData("best", "n00006")]
    public async Task Nodes_are_found_by_id_round_or_best(string reference, string expected)
    {
        using var campaign = await SampleCampaign.CreateAsync();
        using var storage = await campaign.OpenAsync();

        Assert.Equal(expected, (await NodeLookup.FindAsync(storage.Nodes, reference)).Id);
    }

    [Fact]
    public async Task An_unknown_node_names_close_matches()
    {
        using var campaign = await SampleCampaign.CreateAsync();
        using var storage = await campaign.OpenAsync();

        var typo = await Assert.ThrowsAsync<NodeNotFoundException>(() => NodeLookup.FindAsync(storage.Nodes, "n0006"));
        var byName = await Assert.ThrowsAsync<NodeNotFoundException>(() => NodeLookup.FindAsync(storage.Nodes, "hex"));
        var nothing = await Assert.ThrowsAsync<NodeNotFoundException>(() => NodeLookup.FindAsync(storage.Nodes, "zzzzzzzzzzzz"));

        Assert.Equal("n00006", typo.CloseMatches[0].Id);
        Assert.Contains("Did you mean: n00006", typo.Message);
        Assert.Equal("n00003", byName.CloseMatches[0].Id);
        Assert.Empty(nothing.CloseMatches);
        Assert.Contains("evolve nodes", nothing.Message);
    }

    [Fact]
    public async Task Without_a_folder_the_most_recently_written_campaign_is_chosen()
    {
        using var older = await SampleCampaign.CreateAsync();
        var root = Path.Combine(older.Parent, "campaigns");
        var newer = Path.Combine(root, "newer");
        using (var storage = await CampaignStorage.OpenAsync(newer, "other", durability: SqliteDurability.Normal))
            await storage.Nodes.CommitNodeAsync(SampleCampaign.Node(0, 2.0, [], "seed", "seed") with { CampaignId = "other" });
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(older.Root, "campaign.db*")) File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-2));
        foreach (var file in Directory.GetFiles(newer, "campaign.db*")) File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-1));

        var location = await CampaignLocator.LocateAsync(null, campaignsRoot: root);

        Assert.Equal(newer, location.Directory);
        Assert.Equal("other", location.CampaignId);
        Assert.Equal("other", location.Task); // no saved configuration: the campaign id stands in
    }

    [Fact]
    public async Task Missing_folders_and_empty_campaigns_say_what_to_do()
    {
        using var empty = await SampleCampaign.CreateAsync(withNodes: false);

        var noRoot = await Assert.ThrowsAsync<CampaignUnavailableException>(() => CampaignLocator.LocateAsync(null, campaignsRoot: Path.Combine(empty.Parent, "none")));
        var noDir = await Assert.ThrowsAsync<CampaignUnavailableException>(() => CampaignLocator.LocateAsync(Path.Combine(empty.Parent, "missing")));
        var notCampaign = await Assert.ThrowsAsync<CampaignUnavailableException>(() => CampaignLocator.LocateAsync(empty.Parent));
        var noNodes = await Assert.ThrowsAsync<CampaignUnavailableException>(() => CampaignLocator.LocateAsync(empty.Root));

        Assert.Contains("evolve run <task>", noRoot.Message);
        Assert.Contains("does not exist", noDir.Message);
        Assert.Contains("not a campaign directory", notCampaign.Message);
        Assert.Contains("no nodes yet", noNodes.Message);
        Assert.Contains(empty.Root, noNodes.Message);
    }

    [Theory]
    [InlineData("task: circle-packing\nsampler:\n  kind: ucb1\n", "circle-packing")]
    [InlineData("task:\n  name: my-task\n  folder: ./tasks/my\n", "my-task")]
    [InlineData("sampler: {kind: ucb1}\n", SampleCampaign.CampaignId)]
    [InlineData("task: [unclosed\n", SampleCampaign.CampaignId)]
    public async Task The_task_name_comes_from_the_saved_configuration(string yaml, string expected)
    {
        using var campaign = await SampleCampaign.CreateAsync();
        await File.WriteAllTextAsync(Path.Combine(campaign.Root, CampaignLocator.EffectiveConfigFileName), yaml);

        Assert.Equal(expected, (await CampaignLocator.LocateAsync(campaign.Root)).Task);
    }

    [Fact]
    public async Task The_summary_counts_outcomes_improvement_and_spend()
    {
        using var campaign = await SampleCampaign.CreateAsync();
        using var storage = await campaign.OpenAsync();

        var summary = await CampaignSummary.LoadAsync(storage, "circle-packing");

        Assert.Equal((7L, 5L, 2L, 6L), (summary.Nodes, summary.Ok, summary.Failed, summary.MaxRound));
        Assert.Equal(1, summary.ByStatus[NodeStatus.Timeout]);
        Assert.Equal("n00006", summary.Best!.Id);
        Assert.Equal(0.7, summary.Improvement!.Value, 9);
        Assert.Equal(70, summary.ImprovementPercent!.Value, 6);
        Assert.Equal((2100L, 210L), (summary.Spend.InputTokens, summary.Spend.OutputTokens));
        Assert.Equal(0.021, summary.Spend.CostUsd, 9);
        var text = string.Join("\n", summary.ToLines());
        Assert.Contains("5 ok, 2 failed (compile_error 1, timeout 1)", text);
        Assert.Contains("+0.7 (+70 %) over round 0", text);
        Assert.Contains("2,100 input + 210 output tokens, $0.0210", text);
    }
}
