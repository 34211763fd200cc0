using System.Threading.Channels;
using Evolve.Durable.Protocol;
using Grpc.Core;
using Grpc.Net.Client;

namespace Evolve.Durable.Sidecar.Tests;

/// <summary>
/// A hand-written worker: holds a GetWorkItems stream open, queues what arrives (workflow turns and
/// activities apart), and answers with explicit actions. Disposing it drops its HTTP/2 connection.
/// </summary>
public sealed class TestWorker : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<WorkItem> _workflows = Channel.CreateUnbounded<WorkItem>();
    private readonly Channel<WorkItem> _activities = Channel.CreateUnbounded<WorkItem>();
    private readonly AsyncServerStreamingCall<WorkItem> _call;
    private readonly Task _pump;

    public TestWorker(GrpcChannel channel, WorkerCapability[] capabilities)
    {
        _channel = channel;
        Client = new TaskHubSidecarService.TaskHubSidecarServiceClient(channel);
        var request = new GetWorkItemsRequest();
        request.Capabilities.AddRange(capabilities);
        _call = Client.GetWorkItems(request, cancellationToken: _stop.Token);
        _pump = Task.Run(PumpAsync);
    }

    public TaskHubSidecarService.TaskHubSidecarServiceClient Client { get; }

    /// <summary>Waits until the server has the stream (response headers arrived).</summary>
    public async Task ConnectedAsync() => await _call.ResponseHeadersAsync.WaitAsync(SidecarFixture.Patience);

    public async Task<WorkItem> NextWorkflowAsync() =>
        await _workflows.Reader.ReadAsync().AsTask().WaitAsync(SidecarFixture.Patience);

    public async Task<WorkItem> NextActivityAsync() =>
        await _activities.Reader.ReadAsync().AsTask().WaitAsync(SidecarFixture.Patience);

    /// <summary>True when no workflow turn arrives within the window.</summary>
    public async Task<bool> NoWorkflowWithinAsync(TimeSpan window)
    {
        using var cts = new CancellationTokenSource(window);
        try
        {
            await _workflows.Reader.WaitToReadAsync(cts.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public Task CompleteAsync(WorkItem item, params WorkflowAction[] actions) => CompleteAsync(item, null, actions);

    public async Task CompleteAsync(WorkItem item, string? customStatus, params WorkflowAction[] actions)
    {
        var response = new WorkflowResponse
        {
            InstanceId = item.WorkflowRequest.InstanceId,
            CompletionToken = item.CompletionToken,
            CustomStatus = customStatus,
        };
        response.Actions.AddRange(actions);
        await Client.CompleteWorkflowTaskAsync(response);
    }

    public async Task CompleteActivityAsync(WorkItem item, string? result, TaskFailureDetails? failure = null) =>
        await Client.CompleteActivityTaskAsync(new ActivityResponse
        {
            InstanceId = item.ActivityRequest.WorkflowInstance.InstanceId,
            TaskId = item.ActivityRequest.TaskId,
            Result = result,
            FailureDetails = failure,
            CompletionToken = item.CompletionToken,
        });

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _pump;
        }
        catch (Exception)
        {
            // the stream ends with a cancellation or a dropped connection; either is expected here
        }
        _call.Dispose();
        _channel.Dispose();
    }

    private async Task PumpAsync()
    {
        await foreach (var item in _call.ResponseStream.ReadAllAsync(_stop.Token))
        {
            var target = item.RequestCase == WorkItem.RequestOneofCase.WorkflowRequest ? _workflows : _activities;
            await target.Writer.WriteAsync(item);
        }
    }
}
