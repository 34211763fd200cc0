using System.Net;
using System.Net.Sockets;
using Evolve.Durable.Client;
using Evolve.Durable.Hosting;
using Evolve.Durable.Sidecar;
using Evolve.Durable.Sidecar.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Tests;

public sealed class CallsUnknownActivityWorkflow : Workflow<object?, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, object? input)
    {
        await context.CallActivityAsync("NotThere");
        return "unreachable";
    }
}

/// <summary>Takes a while and counts its runs, so tests can see whether a shutdown let it finish.</summary>
public sealed class SlowStep : WorkflowActivity<int, int>
{
    public static int Runs;
    public static readonly TaskCompletionSource Started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override async Task<int> RunAsync(WorkflowActivityContext context, int input)
    {
        Started.TrySetResult();
        await Task.Delay(TimeSpan.FromSeconds(1.5), context.CancellationToken);
        Interlocked.Increment(ref Runs);
        return input + 1;
    }
}

public sealed class SlowWorkflow : Workflow<object?, int>
{
    public override async Task<int> RunAsync(WorkflowContext context, object? input)
    {
        var first = await context.CallActivityAsync<int>("SlowStep", 0);
        return await context.CallActivityAsync<int>("Add", first);
    }
}

/// <summary>Worker behaviour over real gRPC: failures, reconnects, graceful shutdown, client-only processes.</summary>
public sealed class WorkerTests
{
    [Fact]
    public async Task Unknown_activity_fails_the_call_with_ActivityNotRegistered_and_the_workflow_records_it()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddWorkflow<CallsUnknownActivityWorkflow>());
        var id = await host.Client.ScheduleNewWorkflowAsync("CallsUnknownActivityWorkflow");
        var state = await host.WaitForCompletionAsync(id);
        Assert.Equal(WorkflowRuntimeStatus.Failed, state.RuntimeStatus);
        Assert.Equal("ActivityNotRegistered", state.FailureDetails!.InnerFailure!.ErrorType);
        Assert.Contains("'NotThere'", state.FailureDetails.InnerFailure.ErrorMessage);
        var history = await host.Client.GetHistoryAsync(id);
        Assert.Contains(history, e => e.TaskFailed?.FailureDetails.ErrorType == "ActivityNotRegistered");
    }

    [Fact]
    public async Task Worker_waits_for_a_sidecar_that_is_not_up_yet_and_connects_when_it_starts()
    {
        var port = FreePort();
        var directory = Path.Combine(Path.GetTempPath(), "evolve-durable-tests", Guid.NewGuid().ToString("N"));
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDurableWorkflows(r => r.AddWorkflow<SequenceWorkflow>().AddActivity<Add>());
        builder.Services.UseSidecar(new Uri($"http://127.0.0.1:{port}"));
        builder.Services.Configure<DurableWorkerOptions>(o =>
        {
            o.ReconnectMinDelay = TimeSpan.FromMilliseconds(50);
            o.ReconnectMaxDelay = TimeSpan.FromMilliseconds(400);
        });
        using var worker = builder.Build();
        await worker.StartAsync();
        await Task.Delay(500); // the worker retries against a closed port meanwhile

        await using (var sidecar = await EmbeddedSidecar.StartAsync(new SidecarOptions { DatabasePath = Path.Combine(directory, "s.db"), Port = port }))
        {
            var client = worker.Services.GetRequiredService<DurableWorkflowClient>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string? id = null;
            while (id is null)
            {
                try
                {
                    id = await client.ScheduleNewWorkflowAsync("SequenceWorkflow", "late-sidecar", 3, cancellationToken: timeout.Token);
                }
                catch (Grpc.Core.RpcException ex) when (ex.StatusCode == Grpc.Core.StatusCode.Unavailable)
                {
                    await Task.Delay(100, timeout.Token); // the shared channel is still in its (short) reconnect back-off
                }
            }
            var state = await client.WaitForWorkflowCompletionAsync(id, cancellationToken: timeout.Token);
            Assert.Equal(6, state.ReadOutputAs<int>());
        }
        await worker.StopAsync();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Shutdown_lets_an_in_flight_activity_finish_and_report_before_the_sidecar_stops()
    {
        var directory = Path.Combine(Path.GetTempPath(), "evolve-durable-tests", Guid.NewGuid().ToString("N"));
        var database = Path.Combine(directory, "s.db");
        Action<DurableRegistry> register = r => r.AddWorkflow<SlowWorkflow>().AddActivity<SlowStep>().AddActivity<Add>();
        SlowStep.Runs = 0;

        string id;
        using (var host = BuildHost(database, register))
        {
            await host.StartAsync();
            id = await host.Services.GetRequiredService<DurableWorkflowClient>().ScheduleNewWorkflowAsync("SlowWorkflow");
            await SlowStep.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await host.StopAsync(); // activity is mid-flight: the worker must let it finish and answer
        }
        Assert.Equal(1, SlowStep.Runs);

        using (var host = BuildHost(database, register))
        {
            await host.StartAsync();
            var client = host.Services.GetRequiredService<DurableWorkflowClient>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var state = await client.WaitForWorkflowCompletionAsync(id, cancellationToken: timeout.Token);
            Assert.Equal(2, state.ReadOutputAs<int>());
            Assert.Equal(1, SlowStep.Runs); // its result was committed before shutdown, so it did not run again
            await host.StopAsync();
        }
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task A_client_only_process_attaches_to_a_standalone_sidecar_by_url()
    {
        var directory = Path.Combine(Path.GetTempPath(), "evolve-durable-tests", Guid.NewGuid().ToString("N"));
        await using var sidecar = await EmbeddedSidecar.StartAsync(new SidecarOptions { DatabasePath = Path.Combine(directory, "s.db") });
        await using var workerHost = await DurableTestHost.StartAsync(r => r.AddWorkflow<SequenceWorkflow>().AddActivity<Add>(),
            s => s.UseSidecar(sidecar.Address));

        var services = new ServiceCollection().AddDurableWorkflowClient().UseSidecar(sidecar.Address);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<DurableWorkflowClient>();
        var id = await client.ScheduleNewWorkflowAsync("SequenceWorkflow", "standalone-1", 4);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Assert.Equal(10, (await client.WaitForWorkflowCompletionAsync(id, cancellationToken: timeout.Token)).ReadOutputAs<int>());
        Assert.Contains("standalone-1", await client.ListInstanceIdsAsync().ToListAsync());
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [InlineData(1024)] // full histories arrive; the live session is reused after an event-by-event prefix check
    [InlineData(0)]    // no sessions: every turn replays from the start
    public async Task Without_stateful_history_the_worker_gets_full_histories_and_the_same_results(int maxCachedHistories)
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddWorkflow<SequenceWorkflow>().AddWorkflow<FanOutWorkflow>().AddActivity<Add>().AddActivity<Square>(),
            s => s.Configure<DurableWorkerOptions>(o =>
            {
                o.UseStatefulHistory = false;
                o.MaxCachedHistories = maxCachedHistories;
            }));
        var sequence = await host.Client.ScheduleNewWorkflowAsync("SequenceWorkflow", input: 20);
        var fanOut = await host.Client.ScheduleNewWorkflowAsync("FanOutWorkflow", input: 30);
        Assert.Equal(Enumerable.Range(1, 20).Sum(), (await host.WaitForCompletionAsync(sequence)).ReadOutputAs<int>());
        Assert.Equal(Enumerable.Range(0, 30).Sum(i => i * i), (await host.WaitForCompletionAsync(fanOut)).ReadOutputAs<int>());
    }

    [Fact]
    public async Task A_worker_with_no_sidecar_configured_stops_the_host_with_a_clear_error()
    {
        var lines = new List<string>();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new CapturingLoggerProvider(lines));
        builder.Services.AddSingleton(new DaprEnvironmentEndpointProvider(_ => null));
        builder.Services.AddDurableWorkflows(r => r.AddWorkflow<SequenceWorkflow>());
        using var host = builder.Build();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopping = new TaskCompletionSource();
        lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        await host.StartAsync();
        await stopping.Task.WaitAsync(TimeSpan.FromSeconds(30));
        lock (lines) Assert.Contains(lines, l => l.Contains("No workflow sidecar is available"));
        await host.StopAsync();
    }

    private static IHost BuildHost(string database, Action<DurableRegistry> register)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddEmbeddedSidecar(o => o.DatabasePath = database);
        builder.Services.AddDurableWorkflows(register);
        return builder.Build();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class HugeResult : WorkflowActivity<object?, string>
{
    public override Task<string> RunAsync(WorkflowActivityContext context, object? input) => Task.FromResult(new string('x', 5_000_000));
}

public sealed class HugeResultWorkflow : Workflow<object?, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, object? input)
    {
        try
        {
            return (await context.CallActivityAsync<string>("HugeResult")).Length.ToString();
        }
        catch (WorkflowTaskFailedException ex)
        {
            return ex.FailureDetails.ErrorType;
        }
    }
}

public sealed class OversizedPayloadTests
{
    [Fact]
    public async Task An_activity_result_over_the_sidecar_limit_becomes_a_recorded_activity_failure()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddWorkflow<HugeResultWorkflow>().AddActivity<HugeResult>());
        var id = await host.Client.ScheduleNewWorkflowAsync("HugeResultWorkflow");
        var state = await host.WaitForCompletionAsync(id);
        Assert.Equal("ActivityResultRejected", state.ReadOutputAs<string>());
    }
}
