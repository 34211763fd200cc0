namespace Evolve.Reporting.Tests;

public sealed class LiveCampaignTests
{
    [Fact]
    public async Task Reports_read_a_campaign_while_it_is_committing_rounds()
    {
        using var campaign = await SampleCampaign.CreateAsync();
        using var writer = await campaign.OpenAsync();
        var writing = Task.Run(async () =>
        {
            for (var round = 7; round < 47; round++)
                await writer.Nodes.CommitNodeAsync(SampleCampaign.Node(round, 1.0 + round / 100.0, ["n00006"], $"live {round}", "live"));
        });

        var seen = new List<long>();
        while (!writing.IsCompleted)
        {
            using var reader = await CampaignReader.OpenAsync(campaign.Root);
            var summary = await CampaignSummary.LoadAsync(reader.Nodes, reader.Location);
            seen.Add(summary.Nodes);
            await CampaignPlots.WriteScorePlotAsync(reader.Nodes, Path.Combine(campaign.Parent, "live.png"));
        }
        await writing;

        Assert.NotEmpty(seen);
        Assert.Equal(seen.Order(), seen); // never goes backwards
        using var final = await CampaignReader.OpenAsync(campaign.Root);
        Assert.Equal(47, (await CampaignSummary.LoadAsync(final.Nodes, final.Location)).Nodes);
    }
}
