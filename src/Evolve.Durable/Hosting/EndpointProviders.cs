namespace Evolve.Durable.Hosting;

/// <summary>
/// daprd's gRPC endpoint from the variables <c>dapr run</c> sets: DAPR_GRPC_ENDPOINT (host:port or a
/// URL) or DAPR_GRPC_PORT, plus DAPR_API_TOKEN when API token auth is on.
/// </summary>
public sealed class DaprEnvironmentEndpointProvider(Func<string, string?>? getEnvironmentVariable = null) : ISidecarEndpointProvider
{
    private readonly Func<string, string?> _getEnv = getEnvironmentVariable ?? Environment.GetEnvironmentVariable;

    /// <summary>True when the environment points at a daprd.</summary>
    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(_getEnv("DAPR_GRPC_ENDPOINT")) || !string.IsNullOrWhiteSpace(_getEnv("DAPR_GRPC_PORT"));

    public ValueTask<SidecarEndpoint> GetEndpointAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Resolve());

    public SidecarEndpoint Resolve()
    {
        var token = _getEnv("DAPR_API_TOKEN") is { Length: > 0 } t ? t : null;
        if (_getEnv("DAPR_GRPC_ENDPOINT") is { } endpoint && !string.IsNullOrWhiteSpace(endpoint))
        {
            return new SidecarEndpoint(ParseEndpoint(endpoint.Trim()), token, "daprd (DAPR_GRPC_ENDPOINT)");
        }
        if (_getEnv("DAPR_GRPC_PORT") is { } portText && !string.IsNullOrWhiteSpace(portText))
        {
            if (!int.TryParse(portText.Trim(), out var port) || port is < 1 or > 65535)
            {
                throw new InvalidOperationException($"DAPR_GRPC_PORT='{portText}' is not a TCP port (1-65535). Unset it or set it to daprd's gRPC port.");
            }
            return new SidecarEndpoint(new Uri($"http://127.0.0.1:{port}"), token, "daprd (DAPR_GRPC_PORT)");
        }
        throw new InvalidOperationException("Neither DAPR_GRPC_ENDPOINT nor DAPR_GRPC_PORT is set, so there is no daprd to connect to.");
    }

    /// <summary>Accepts "host:port", "http(s)://host:port" and "dns:///host:port" (daprd's forms; "?tls=true" selects https).</summary>
    internal static Uri ParseEndpoint(string value)
    {
        var text = value;
        var tls = false;
        if (text.StartsWith("dns:", StringComparison.OrdinalIgnoreCase))
        {
            text = text["dns:".Length..].TrimStart('/');
        }
        var query = text.IndexOf('?');
        if (query >= 0)
        {
            tls = text[query..].Contains("tls=true", StringComparison.OrdinalIgnoreCase);
            text = text[..query];
        }
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            if (!text.Contains(':', StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"DAPR_GRPC_ENDPOINT='{value}' has no port; use host:port (e.g. localhost:50001).");
            }
            text = (tls ? "https://" : "http://") + text;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            throw new InvalidOperationException(
                $"DAPR_GRPC_ENDPOINT='{value}' is not a gRPC address; use host:port (e.g. localhost:50001) or a URL (e.g. http://localhost:50001).");
        }
        return new Uri(uri.GetLeftPart(UriPartial.Authority));
    }
}

/// <summary>A sidecar at a URL given explicitly (e.g. <c>evolve --sidecar http://host:port</c>).</summary>
public sealed class ExplicitEndpointProvider(Uri address, string? apiToken = null) : ISidecarEndpointProvider
{
    public Uri Address { get; } = address.IsAbsoluteUri
        ? address
        : throw new ArgumentException($"Sidecar address '{address}' must be an absolute URL such as http://127.0.0.1:50001.", nameof(address));

    public ValueTask<SidecarEndpoint> GetEndpointAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new SidecarEndpoint(Address, apiToken, $"sidecar at {Address}"));
}
