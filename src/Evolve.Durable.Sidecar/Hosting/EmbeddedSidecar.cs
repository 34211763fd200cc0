using System.Net;
using Evolve.Durable.Sidecar.Engine;
using Evolve.Durable.Sidecar.Grpc;
using Evolve.Durable.Sidecar.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evolve.Durable.Sidecar.Hosting;

/// <summary>
/// A running sidecar: the SQLite store, the engine, and a Kestrel server speaking TaskHubSidecarService
/// over HTTP/2 cleartext on loopback. One process owns a database file at a time (a lock file guards it).
/// </summary>
public sealed class EmbeddedSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SidecarEngine _engine;
    private readonly ISidecarStore _store;
    private readonly FileStream _lockFile;
    private readonly ILogger _logger;
    private int _stopped;

    private EmbeddedSidecar(WebApplication app, SidecarEngine engine, ISidecarStore store, FileStream lockFile, Uri address,
        SidecarOptions options, ILogger logger)
    {
        _app = app;
        _engine = engine;
        _store = store;
        _lockFile = lockFile;
        Address = address;
        Options = options;
        _logger = logger;
    }

    /// <summary>gRPC address workers and clients connect to, e.g. http://127.0.0.1:41234.</summary>
    public Uri Address { get; }

    public SidecarOptions Options { get; }

    /// <summary>Transactions committed so far (each may carry many steps; see group commit).</summary>
    public long CommitCount => _engine.CommitCount;

    /// <summary>Opens (or creates) the store, rebuilds pending work from it, and starts serving.</summary>
    public static async Task<EmbeddedSidecar> StartAsync(SidecarOptions options, ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<EmbeddedSidecar>();
        var lockFile = AcquireLock(options.DatabasePath);
        ISidecarStore? store = null;
        SidecarEngine? engine = null;
        try
        {
            store = new SqliteSidecarStore(options.DatabasePath);
            engine = new SidecarEngine(store, options, TimeProvider.System, loggerFactory);
            var app = BuildServer(options, engine, loggerFactory);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
                .Addresses.First());
            logger.LogInformation("Embedded sidecar listening on {Address} (store {DatabasePath})", address, options.DatabasePath);
            return new EmbeddedSidecar(app, engine, store, lockFile, address, options, logger);
        }
        catch
        {
            if (engine is not null)
                await engine.DisposeAsync().ConfigureAwait(false);
            store?.Dispose();
            await lockFile.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops serving: ends work-item streams, drains pending commits, closes the store.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
            return;
        _engine.BeginStop();
        try
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            await _engine.DisposeAsync().ConfigureAwait(false);
            _store.Dispose();
            await _lockFile.DisposeAsync().ConfigureAwait(false);
            _logger.LogInformation("Embedded sidecar stopped (store {DatabasePath})", Options.DatabasePath);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static WebApplication BuildServer(SidecarOptions options, SidecarEngine engine, ILoggerFactory loggerFactory)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(EmbeddedSidecar).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Services.Replace(ServiceDescriptor.Singleton(loggerFactory));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            var address = options.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Host);
            kestrel.Listen(address, options.Port, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxMessageBytes;
            grpc.MaxSendMessageSize = null;
            grpc.EnableDetailedErrors = true;
        });
        builder.Services.AddSingleton(engine);
        var app = builder.Build();
        app.MapGrpcService<TaskHubSidecarGrpcService>();
        return app;
    }

    /// <summary>Takes an exclusive lock next to the database so two sidecars never write one store.</summary>
    private static FileStream AcquireLock(string databasePath)
    {
        var lockPath = Path.GetFullPath(databasePath) + ".lock";
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        try
        {
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"The sidecar store '{databasePath}' is in use by another sidecar (lock '{lockPath}' is held). " +
                "Attach to that sidecar with its URL, or choose another DatabasePath.", ex);
        }
    }
}
