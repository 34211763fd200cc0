using Evolve.Durable.Client;
using Evolve.Durable.Hosting;
using Evolve.Durable.Sidecar;
using Evolve.Durable.Sidecar.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Tests.Conformance;

/// <summary>
/// A real embedded sidecar (SQLite file, Kestrel on loopback) plus a hosted worker and a client
/// talking to it over gRPC — the whole runtime, in-process.
/// </summary>
public sealed class DurableTestEnvironment : IAsyncDisposable
{
    private DurableTestEnvironment(string directory, EmbeddedSidecar sidecar, IHost host)
    {
        Directory = directory;
        Sidecar = sidecar;
        Host = host;
        Client = host.Services.GetRequiredService<DurableWorkflowClient>();
    }

    public string Directory { get; }
    public EmbeddedSidecar Sidecar { get; }
    public IHost Host { get; }
    public DurableWorkflowClient Client { get; }

    public static async Task<DurableTestEnvironment> StartAsync(Action<DurableRegistry> register, string? directory = null)
    {
        directory ??= Path.Combine(Path.GetTempPath(), "evolve-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var sidecar = await EmbeddedSidecar.StartAsync(
            new SidecarOptions { DatabasePath = Path.Combine(directory, "workflows.db") }, null, CancellationToken.None);
        var host = await StartWorkerAsync(sidecar.Address, register);
        return new DurableTestEnvironment(directory, sidecar, host);
    }

    /// <summary>Starts another worker host against an address (e.g. with different workflow code).</summary>
    public static async Task<IHost> StartWorkerAsync(Uri sidecarAddress, Action<DurableRegistry> register)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddDurableWorkflows(register);
        builder.Services.UseSidecar(sidecarAddress);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public static void RegisterAll(DurableRegistry registry)
    {
        registry.AddActivity<EchoActivity>();
        registry.AddActivity<SquareActivity>();
        registry.AddActivity<FailingActivity>();
        registry.AddActivity<FlakyActivity>();
        registry.AddWorkflow<SequenceWorkflow>();
        registry.AddWorkflow<FanOutWorkflow>();
        registry.AddWorkflow<RetryWorkflow>();
        registry.AddWorkflow<ActivityFailureWorkflow>();
        registry.AddWorkflow<ParentWorkflow>();
        registry.AddWorkflow<TimerWorkflow>();
        registry.AddWorkflow<WaitForEventWorkflow>();
        registry.AddWorkflow<ContinueAsNewWorkflow>();
        registry.AddWorkflow<CustomStatusWorkflow>();
        registry.AddWorkflow<UnknownActivityWorkflow>();
        registry.AddWorkflow<TypedInputWorkflow>();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
        await Sidecar.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>One environment shared by the conformance tests (each test uses its own instance ids).</summary>
public sealed class SharedDurableEnvironment : IAsyncLifetime
{
    public DurableTestEnvironment Environment { get; private set; } = null!;

    public async Task InitializeAsync() => Environment = await DurableTestEnvironment.StartAsync(DurableTestEnvironment.RegisterAll);

    public async Task DisposeAsync() => await Environment.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ConformanceCollection : ICollectionFixture<SharedDurableEnvironment>
{
    public const string Name = "durable conformance";
}
