using Evolve.Durable.Worker;
using Evolve.Durable.Client;
using Evolve.Durable.Hosting;
using Evolve.Durable.Sidecar.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Tests;

/// <summary>
/// A real host in a few lines: worker + client + embedded sidecar (SQLite in a temp folder) over
/// loopback gRPC. Dispose stops the host and deletes the folder.
/// </summary>
internal sealed class DurableTestHost : IAsyncDisposable
{
    private DurableTestHost(IHost host, string directory)
    {
        Host = host;
        Directory = directory;
    }

    public IHost Host { get; }
    public string Directory { get; }
    public DurableWorkflowClient Client => Host.Services.GetRequiredService<DurableWorkflowClient>();
    public DurableWorkerService Worker => Host.Services.GetRequiredService<DurableWorkerService>();

    public static async Task<DurableTestHost> StartAsync(Action<DurableRegistry> register, Action<IServiceCollection>? configureServices = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "evolve-durable-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddEmbeddedSidecar(o => o.DatabasePath = Path.Combine(directory, "sidecar.db"));
        builder.Services.AddDurableWorkflows(register);
        configureServices?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new DurableTestHost(host, directory);
    }

    /// <summary>Waits for completion with a generous timeout (the test machine may be loaded).</summary>
    public async Task<WorkflowState> WaitForCompletionAsync(string instanceId, int timeoutSeconds = 60)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        return await Client.WaitForWorkflowCompletionAsync(instanceId, cancellationToken: timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder left behind is harmless
        }
    }
}
