namespace Evolve.Durable.Hosting;

/// <summary>Where the worker and the client find the sidecar that serves TaskHubSidecarService.</summary>
/// <param name="Address">gRPC address, e.g. http://127.0.0.1:50001.</param>
/// <param name="ApiToken">Sent as the <c>dapr-api-token</c> header when set (daprd with API token auth).</param>
/// <param name="Description">Human-readable origin, e.g. "daprd (DAPR_GRPC_PORT)" or "embedded sidecar".</param>
public sealed record SidecarEndpoint(Uri Address, string? ApiToken, string Description);

/// <summary>
/// Resolves the sidecar endpoint. Implementations: daprd from the environment, an explicit URL,
/// or the embedded sidecar (registered by Evolve.Durable.Sidecar), which is started on first use.
/// </summary>
public interface ISidecarEndpointProvider
{
    ValueTask<SidecarEndpoint> GetEndpointAsync(CancellationToken cancellationToken);
}
