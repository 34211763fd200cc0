using Evolve.Core;
using Evolve.Sampling;
using Microsoft.Extensions.DependencyInjection;

namespace Evolve.Storage.Tests;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public async Task Registered_storage_opens_the_campaign_and_serves_every_part()
    {
        using var temp = new TempCampaign();
        var services = new ServiceCollection();
        services.AddEvolveCampaignStorage(new CampaignStorageOptions
        {
            Root = temp.Root,
            CampaignId = "camp",
            Sampler = new SamplerOptions { Kind = "greedy" },
        });
        await using (var provider = services.BuildServiceProvider())
        {
            var nodes = provider.GetRequiredService<INodeStore>();
            await nodes.CommitNodeAsync(TempCampaign.Node(0, 1.0));
            var draw = await provider.GetRequiredService<SamplingCoordinator>().DrawAsync(1);
            Assert.Equal("n00000", draw.RootId);
            var cognition = provider.GetRequiredService<ICognitionStore>();
            await cognition.AddSeedAsync("Corner circles touch two walls.", "test");
            Assert.Single(await cognition.SearchAsync("corner circles", 3, 0.2));
        }
        Assert.True(CampaignDirectory.Exists(temp.Root));
    }

    [Fact]
    public void Invalid_settings_fail_at_registration_naming_the_key()
    {
        var services = new ServiceCollection();
        var error = Assert.Throws<SamplerConfigurationException>(() => services.AddEvolveCampaignStorage(new CampaignStorageOptions
        {
            Root = "/tmp/x",
            CampaignId = "camp",
            Sampler = new SamplerOptions { Kind = "best" },
        }));
        Assert.Contains("sampler.kind", error.Message);
        var noId = Assert.Throws<ArgumentException>(() => services.AddEvolveCampaignStorage(new CampaignStorageOptions { Root = "/tmp/x" }));
        Assert.Contains("campaign.id", noId.Message);
    }
}
