using Evolve.Durable.Protocol;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Evolve.Durable.Hosting;

/// <summary>
/// The one gRPC channel to the sidecar that the worker and the client share. Picks the sidecar once:
/// an explicit address (options / <c>--sidecar</c>) → that; DAPR_GRPC_ENDPOINT / DAPR_GRPC_PORT → daprd;
/// otherwise the <see cref="ISidecarEndpointProvider"/> registered in DI (the embedded sidecar).
/// </summary>
public sealed class SidecarConnection : IDisposable
{
    private readonly IServiceProvider _services;
    private readonly DurableWorkerOptions _options;
    private readonly DaprEnvironmentEndpointProvider _dapr;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Connected? _connected;

    public SidecarConnection(IServiceProvider services, IOptions<DurableWorkerOptions> options, DaprEnvironmentEndpointProvider dapr)
    {
        _services = services;
        _options = options.Value;
        _dapr = dapr;
    }

    /// <summary>The endpoint in use (resolving it, and starting an embedded sidecar, on first call).</summary>
    public async ValueTask<SidecarEndpoint> GetEndpointAsync(CancellationToken cancellationToken) =>
        (await ConnectAsync(cancellationToken)).Endpoint;

    public async ValueTask<TaskHubSidecarService.TaskHubSidecarServiceClient> GetClientAsync(CancellationToken cancellationToken) =>
        (await ConnectAsync(cancellationToken)).Client;

    /// <summary>Which provider serves this process, by the selection rule above.</summary>
    public ISidecarEndpointProvider SelectProvider()
    {
        if (!string.IsNullOrWhiteSpace(_options.SidecarAddress))
        {
            return new ExplicitEndpointProvider(new Uri(_options.SidecarAddress), _options.ApiToken);
        }
        if (_dapr.IsConfigured)
        {
            return _dapr;
        }
        return _services.GetService<ISidecarEndpointProvider>() ?? throw new InvalidOperationException(
            "No workflow sidecar is available. Run under Dapr (dapr run sets DAPR_GRPC_ENDPOINT / DAPR_GRPC_PORT), " +
            "pass an explicit sidecar URL (--sidecar http://host:port, or configuration Durable:SidecarAddress), " +
            "or register the embedded sidecar in this process.");
    }

    private async ValueTask<Connected> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connected is { } ready)
        {
            return ready;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connected is null)
            {
                // A failure here (sidecar not started yet) is not cached: the next call tries again.
                var endpoint = await SelectProvider().GetEndpointAsync(cancellationToken);
                _connected = new Connected(endpoint);
            }
            return _connected;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _connected?.Channel.Dispose();
        _gate.Dispose();
    }

    private sealed class Connected
    {
        public Connected(SidecarEndpoint endpoint)
        {
            Endpoint = endpoint;
            Channel = GrpcChannel.ForAddress(endpoint.Address, new GrpcChannelOptions
            {
                // Histories of long workflows are large; the sidecar enforces its own limits.
                MaxReceiveMessageSize = null,
                MaxSendMessageSize = null,
                HttpHandler = new SocketsHttpHandler
                {
                    EnableMultipleHttp2Connections = true,
                    PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                    KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                    KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
                },
            });
            CallInvoker invoker = Channel.CreateCallInvoker();
            if (endpoint.ApiToken is { } token)
            {
                invoker = invoker.Intercept(metadata =>
                {
                    metadata.Add("dapr-api-token", token);
                    return metadata;
                });
            }
            Client = new TaskHubSidecarService.TaskHubSidecarServiceClient(invoker);
        }

        public SidecarEndpoint Endpoint { get; }
        public GrpcChannel Channel { get; }
        public TaskHubSidecarService.TaskHubSidecarServiceClient Client { get; }
    }
}
