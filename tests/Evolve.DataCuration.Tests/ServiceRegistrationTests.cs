using Evolve.DataCuration.Parquet;
using Evolve.DataCuration.Processing;
using Microsoft.Extensions.DependencyInjection;

namespace Evolve.DataCuration.Tests;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public void Add_data_curation_resolves_the_runner_with_the_configured_format()
    {
        using var provider = new ServiceCollection()
            .AddDataCuration(format => format.TextColumn = "content")
            .BuildServiceProvider();
        Assert.NotNull(provider.GetRequiredService<CurationRunner>());
        Assert.NotNull(provider.GetRequiredService<ShardCurator>());
        Assert.Equal("content", provider.GetRequiredService<ShardFormatOptions>().TextColumn);
    }
}
