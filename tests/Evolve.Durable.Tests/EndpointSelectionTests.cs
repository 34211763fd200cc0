using Evolve.Durable.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Evolve.Durable.Tests;

public sealed class EndpointSelectionTests
{
    private static DaprEnvironmentEndpointProvider Env(params (string Name, string Value)[] vars)
    {
        var map = vars.ToDictionary(v => v.Name, v => v.Value);
        return new DaprEnvironmentEndpointProvider(name => map.GetValueOrDefault(name));
    }

    [Theory]
    [InlineData("localhost:50001", "http://localhost:50001/")]
    [InlineData("http://10.0.0.5:6000", "http://10.0.0.5:6000/")]
    [InlineData("https://dapr.example:443", "https://dapr.example/")]
    [InlineData("dns:///127.0.0.1:50002", "http://127.0.0.1:50002/")]
    [InlineData("dns:///dapr.internal:50003?tls=true", "https://dapr.internal:50003/")]
    public void DAPR_GRPC_ENDPOINT_accepts_host_port_and_urls(string value, string expected)
    {
        var endpoint = Env(("DAPR_GRPC_ENDPOINT", value)).Resolve();
        Assert.Equal(expected, endpoint.Address.ToString());
        Assert.Null(endpoint.ApiToken);
        Assert.Contains("DAPR_GRPC_ENDPOINT", endpoint.Description);
    }

    [Fact]
    public void DAPR_GRPC_PORT_means_loopback_and_the_api_token_is_passed_on()
    {
        var provider = Env(("DAPR_GRPC_PORT", "50001"), ("DAPR_API_TOKEN", "secret"));
        Assert.True(provider.IsConfigured);
        var endpoint = provider.Resolve();
        Assert.Equal("http://127.0.0.1:50001/", endpoint.Address.ToString());
        Assert.Equal("secret", endpoint.ApiToken);
    }

    [Fact]
    public void Endpoint_wins_over_port_when_both_are_set()
    {
        var endpoint = Env(("DAPR_GRPC_ENDPOINT", "daprd:7000"), ("DAPR_GRPC_PORT", "50001")).Resolve();
        Assert.Equal("http://daprd:7000/", endpoint.Address.ToString());
    }

    [Theory]
    [InlineData("DAPR_GRPC_PORT", "fifty", "not a TCP port")]
    [InlineData("DAPR_GRPC_PORT", "70000", "not a TCP port")]
    [InlineData("DAPR_GRPC_ENDPOINT", "daprd", "has no port")]
    [InlineData("DAPR_GRPC_ENDPOINT", "ftp://daprd:21", "not a gRPC address")]
    public void Bad_values_fail_with_a_message_naming_the_variable(string name, string value, string expected)
    {
        var error = Assert.Throws<SidecarConfigurationException>(() => Env((name, value)).Resolve());
        Assert.Contains(name, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Unset_environment_is_not_configured()
    {
        Assert.False(Env().IsConfigured);
        Assert.False(Env(("DAPR_GRPC_PORT", " ")).IsConfigured);
    }

    private static SidecarConnection Connection(DaprEnvironmentEndpointProvider env, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection();
        services.AddDurableWorkflowClient();
        services.AddSingleton(env);
        more?.Invoke(services);
        return services.BuildServiceProvider().GetRequiredService<SidecarConnection>();
    }

    private sealed class FakeEmbedded : ISidecarEndpointProvider
    {
        public ValueTask<SidecarEndpoint> GetEndpointAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(new SidecarEndpoint(new Uri("http://127.0.0.1:1"), null, "embedded"));
    }

    [Fact]
    public void Selection_prefers_explicit_url_then_dapr_environment_then_the_registered_provider()
    {
        var dapr = Env(("DAPR_GRPC_PORT", "50001"));
        var explicitFirst = Connection(dapr, s => s.AddSingleton<ISidecarEndpointProvider, FakeEmbedded>().UseSidecar(new Uri("http://10.1.1.1:9000")));
        Assert.IsType<ExplicitEndpointProvider>(explicitFirst.SelectProvider());

        var daprNext = Connection(dapr, s => s.AddSingleton<ISidecarEndpointProvider, FakeEmbedded>());
        Assert.Same(dapr, daprNext.SelectProvider());

        var embeddedLast = Connection(Env(), s => s.AddSingleton<ISidecarEndpointProvider, FakeEmbedded>());
        Assert.IsType<FakeEmbedded>(embeddedLast.SelectProvider());
    }

    [Fact]
    public void No_sidecar_at_all_is_a_clear_error_naming_the_three_ways_to_get_one()
    {
        var error = Assert.Throws<SidecarConfigurationException>(() => Connection(Env()).SelectProvider());
        Assert.Contains("DAPR_GRPC_PORT", error.Message);
        Assert.Contains("--sidecar", error.Message);
        Assert.Contains("embedded sidecar", error.Message);
    }

    [Fact]
    public void Invalid_options_are_rejected_with_the_setting_named()
    {
        var services = new ServiceCollection();
        services.AddDurableWorkflowClient();
        services.Configure<DurableWorkerOptions>(o =>
        {
            o.MaxConcurrentActivities = 0;
            o.ReconnectMaxDelay = TimeSpan.FromMilliseconds(1);
        });
        var error = Assert.Throws<OptionsValidationException>(() =>
            services.BuildServiceProvider().GetRequiredService<IOptions<DurableWorkerOptions>>().Value);
        Assert.Contains("MaxConcurrentActivities", error.Message);
        Assert.Contains("ReconnectMaxDelay", error.Message);
    }

    [Fact]
    public void Registry_names_default_to_the_class_name_and_clashes_are_rejected()
    {
        var registry = new DurableRegistry().AddWorkflow<SequenceWorkflow>().AddActivity<Add>("Increment");
        Assert.Equal(typeof(SequenceWorkflow), registry.Workflows["sequenceworkflow"]);
        Assert.Equal(typeof(Add), registry.Activities["Increment"]);
        var clash = Assert.Throws<ArgumentException>(() => registry.AddActivity<Square>("increment"));
        Assert.Contains("'increment' is already registered", clash.Message);
    }
}
