using Evolve.Durable.Hosting;
using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Sidecar.Hosting;

/// <summary>
/// <see cref="ISidecarEndpointProvider"/> for the embedded sidecar: starts it on the first request
/// (once, even under concurrent callers; a failed start is retried by the next caller) and stops it
/// when disposed or when the host has stopped.
/// </summary>
public sealed class EmbeddedSidecarEndpointProvider(SidecarOptions options, ILoggerFactory? loggerFactory = null)
    : ISidecarEndpointProvider, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private EmbeddedSidecar? _sidecar;
    private bool _disposed;

    public async ValueTask<SidecarEndpoint> GetEndpointAsync(CancellationToken cancellationToken)
    {
        var sidecar = _sidecar ?? await StartOnceAsync(cancellationToken).ConfigureAwait(false);
        return new SidecarEndpoint(sidecar.Address, null, $"embedded sidecar ({options.DatabasePath})");
    }

    private async Task<EmbeddedSidecar> StartOnceAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _sidecar ??= await EmbeddedSidecar.StartAsync(options, loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_sidecar is { } sidecar)
            {
                _sidecar = null;
                await sidecar.StopAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
