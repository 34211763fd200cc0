using Evolve.Durable.Hosting;
using Evolve.Durable.Protocol;
using Evolve.Durable.Sidecar.Hosting;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Evolve.Durable.Sidecar.Tests;

/// <summary>The DI registration starts the sidecar on first use and stops it with the host.</summary>
public sealed class HostingTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "evolve-sidecar-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task AddEmbeddedSidecar_starts_once_on_first_use_and_stops_with_the_host()
    {
        var database = Path.Combine(_directory, "hosted.db");
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddEmbeddedSidecar(o => o.DatabasePath = database);
        var host = builder.Build();
        await host.StartAsync();
        Assert.False(File.Exists(database), "the sidecar started before anyone asked for it");

        var provider = host.Services.GetRequiredService<ISidecarEndpointProvider>();
        var endpoints = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => provider.GetEndpointAsync(CancellationToken.None).AsTask()));
        Assert.Single(endpoints.Select(e => e.Address).Distinct());
        var endpoint = endpoints[0];
        Assert.Equal($"embedded sidecar ({database})", endpoint.Description);
        Assert.Null(endpoint.ApiToken);
        Assert.Equal("127.0.0.1", endpoint.Address.Host);

        using (var channel = GrpcChannel.ForAddress(endpoint.Address))
        {
            var client = new TaskHubSidecarService.TaskHubSidecarServiceClient(channel);
            await client.HelloAsync(new Google.Protobuf.WellKnownTypes.Empty());
            await client.StartInstanceAsync(new CreateInstanceRequest { Name = "Hosted", InstanceId = "hosted-1" });
        }

        await host.StopAsync();
        host.Dispose();
        // Stopped: the store is released, so a new sidecar can open it and sees the instance.
        await using var reopened = await EmbeddedSidecar.StartAsync(new SidecarOptions { DatabasePath = database });
        using var again = GrpcChannel.ForAddress(reopened.Address);
        var state = await new TaskHubSidecarService.TaskHubSidecarServiceClient(again)
            .GetInstanceAsync(new GetInstanceRequest { InstanceId = "hosted-1" });
        Assert.True(state.Exists);
    }

    [Fact]
    public void Bad_options_are_refused_naming_the_setting()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddEmbeddedSidecar(o => o.Port = 70000));
        Assert.Contains("SidecarOptions.Port", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddEmbeddedSidecar(o => o.DatabasePath = ""));
        Assert.Contains("SidecarOptions.DatabasePath", ex.Message);
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, true); } catch (IOException) { }
    }
}
