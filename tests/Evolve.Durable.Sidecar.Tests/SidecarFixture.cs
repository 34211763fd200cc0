using Evolve.Durable.Protocol;
using Evolve.Durable.Sidecar.Hosting;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace Evolve.Durable.Sidecar.Tests;

/// <summary>A real sidecar on a temp SQLite file, reached over real gRPC on loopback.</summary>
public sealed class SidecarFixture : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly List<GrpcChannel> _channels = [];

    private SidecarFixture(string directory, EmbeddedSidecar sidecar, SidecarOptions options)
    {
        Directory = directory;
        Sidecar = sidecar;
        Options = options;
        Client = NewClient();
    }

    public string Directory { get; }
    public EmbeddedSidecar Sidecar { get; private set; }
    public SidecarOptions Options { get; }
    public TaskHubSidecarService.TaskHubSidecarServiceClient Client { get; private set; }

    public static async Task<SidecarFixture> StartAsync(Action<SidecarOptions>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "evolve-sidecar-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var options = new SidecarOptions { DatabasePath = Path.Combine(directory, "sidecar.db") };
        configure?.Invoke(options);
        var sidecar = await EmbeddedSidecar.StartAsync(options);
        return new SidecarFixture(directory, sidecar, options);
    }

    /// <summary>A client on its own HTTP/2 connection (disposing the channel drops that connection).</summary>
    public TaskHubSidecarService.TaskHubSidecarServiceClient NewClient() => new(NewChannel());

    public GrpcChannel NewChannel()
    {
        var channel = GrpcChannel.ForAddress(Sidecar.Address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
        });
        lock (_channels)
            _channels.Add(channel);
        return channel;
    }

    public async Task<TestWorker> ConnectWorkerAsync(params WorkerCapability[] capabilities)
    {
        var worker = new TestWorker(NewChannel(), capabilities);
        await worker.ConnectedAsync();
        return worker;
    }

    /// <summary>Stops the sidecar and starts a new one on the same database file.</summary>
    public async Task RestartAsync()
    {
        DisposeChannels();
        await Sidecar.StopAsync();
        Sidecar = await EmbeddedSidecar.StartAsync(Options);
        Client = NewClient();
    }

    public async Task<string> StartAsync(string name, string? input = null, string? instanceId = null)
    {
        var response = await Client.StartInstanceAsync(new CreateInstanceRequest
        {
            Name = name, Input = input, InstanceId = instanceId ?? "",
        });
        return response.InstanceId;
    }

    public async Task<WorkflowState> WaitForCompletionAsync(string instanceId) =>
        (await Client.WaitForInstanceCompletionAsync(new GetInstanceRequest { InstanceId = instanceId, GetInputsAndOutputs = true },
            deadline: DateTime.UtcNow + Patience)).WorkflowState;

    public async Task<WorkflowState> GetAsync(string instanceId) =>
        (await Client.GetInstanceAsync(new GetInstanceRequest { InstanceId = instanceId, GetInputsAndOutputs = true })).WorkflowState;

    public async Task<List<HistoryEvent>> HistoryAsync(string instanceId) =>
        (await Client.GetInstanceHistoryAsync(new GetInstanceHistoryRequest { InstanceId = instanceId })).Events.ToList();

    public async ValueTask DisposeAsync()
    {
        DisposeChannels();
        await Sidecar.StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void DisposeChannels()
    {
        lock (_channels)
        {
            foreach (var channel in _channels)
                channel.Dispose();
            _channels.Clear();
        }
    }
}

/// <summary>Builders for the actions a hand-written worker answers with.</summary>
public static class Actions
{
    public static WorkflowAction Activity(int id, string name, string? input = null) => new()
    {
        Id = id,
        ScheduleTask = new ScheduleTaskAction { Name = name, Input = input, TaskExecutionId = $"exec-{id}-{Guid.NewGuid():N}" },
    };

    public static WorkflowAction Timer(int id, DateTimeOffset fireAt) => new()
    {
        Id = id,
        CreateTimer = new CreateTimerAction { FireAt = Timestamp.FromDateTimeOffset(fireAt), CreateTimer = new TimerOriginCreateTimer() },
    };

    public static WorkflowAction Child(int id, string name, string instanceId, string? input = null) => new()
    {
        Id = id,
        CreateChildWorkflow = new CreateChildWorkflowAction { Name = name, InstanceId = instanceId, Input = input },
    };

    public static WorkflowAction Complete(int id, string? result, OrchestrationStatus status = OrchestrationStatus.Completed,
        TaskFailureDetails? failure = null) => new()
    {
        Id = id,
        CompleteWorkflow = new CompleteWorkflowAction { WorkflowStatus = status, Result = result, FailureDetails = failure },
    };

    public static WorkflowAction SendEvent(int id, string target, string name, string? data) => new()
    {
        Id = id,
        SendEvent = new SendEventAction { Instance = new WorkflowInstance { InstanceId = target }, Name = name, Data = data },
    };
}

public static class RpcAssert
{
    public static async Task<RpcException> ThrowsAsync(StatusCode expected, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(ex.StatusCode == expected, $"expected {expected}, got {ex.StatusCode}: {ex.Status.Detail}");
        return ex;
    }
}
