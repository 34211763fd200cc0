using Evolve.DataCuration.Workflows;
using Evolve.Durable.Client;
using Evolve.Durable.Hosting;
using Evolve.Durable.Sidecar.Hosting;
using Evolve.Durable.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Evolve.DataCuration.Tests.Durable;

/// <summary>A real host: worker with the curation workflow + client + embedded sidecar (SQLite) over loopback gRPC.</summary>
internal sealed class CurationWorkflowHost : IAsyncDisposable
{
    private readonly IHost _host;

    private CurationWorkflowHost(IHost host) => _host = host;

    public DurableWorkflowClient Client => _host.Services.GetRequiredService<DurableWorkflowClient>();

    public static async Task<CurationWorkflowHost> StartAsync(string stateDirectory)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddEmbeddedSidecar(o => o.DatabasePath = Path.Combine(stateDirectory, "sidecar.db"));
        builder.Services.AddDurableWorkflows(r => r.AddDataCurationWorkflows());
        var host = builder.Build();
        await host.StartAsync();
        var worker = host.Services.GetRequiredService<DurableWorkerService>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!worker.IsConnected)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The worker did not connect to the sidecar in time.");
            await Task.Delay(20);
        }

        return new CurationWorkflowHost(host);
    }

    /// <summary>Runs an instance to its end with a generous timeout (the test machine may be loaded).</summary>
    public async Task<WorkflowState> RunAsync(string instanceId, DataCurationInput input, int timeoutSeconds = 120)
    {
        await Client.ScheduleNewWorkflowAsync(nameof(DataCurationWorkflow), instanceId, input);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        return await Client.WaitForWorkflowCompletionAsync(instanceId, cancellationToken: timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
