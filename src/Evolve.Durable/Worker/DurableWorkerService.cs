using System.Collections.Concurrent;
using Evolve.Durable.Hosting;
using Evolve.Durable.Protocol;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Evolve.Durable.Worker;

/// <summary>
/// Holds the GetWorkItems stream open, runs workflow turns and activities concurrently within the
/// configured limits, answers each with its completion token, reconnects with back-off, and on
/// shutdown stops taking items while the ones in flight finish (until the host's shutdown timeout).
/// </summary>
public sealed class DurableWorkerService : BackgroundService
{
    private readonly SidecarConnection _connection;
    private readonly WorkflowWorkItemRunner _workflows;
    private readonly ActivityWorkItemRunner _activities;
    private readonly DurableWorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DurableWorkerService> _logger;
    private readonly SemaphoreSlim _workflowSlots;
    private readonly SemaphoreSlim _activitySlots;
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private readonly CancellationTokenSource _hardStop = new();
    private readonly WorkflowSessionCache _sessions;

    internal DurableWorkerService(
        SidecarConnection connection,
        WorkflowWorkItemRunner workflows,
        ActivityWorkItemRunner activities,
        IOptions<DurableWorkerOptions> options,
        TimeProvider time,
        ILogger<DurableWorkerService> logger)
    {
        _connection = connection;
        _workflows = workflows;
        _activities = activities;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _workflowSlots = new SemaphoreSlim(_options.MaxConcurrentWorkflows);
        _activitySlots = new SemaphoreSlim(_options.MaxConcurrentActivities);
        _sessions = new WorkflowSessionCache(_options.MaxCachedHistories);
    }

    /// <summary>Number of work items received since start (for diagnostics and tests).</summary>
    public long WorkItemsReceived => Interlocked.Read(ref _received);
    private long _received;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // When the host's shutdown timeout expires, in-flight activities see their token cancelled.
        await using var _ = cancellationToken.Register(() => _hardStop.Cancel());
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            SidecarEndpoint? endpoint = null;
            try
            {
                endpoint = await _connection.GetEndpointAsync(stoppingToken);
                var client = await _connection.GetClientAsync(stoppingToken);
                await RunStreamAsync(client, endpoint, stoppingToken);
                if (stoppingToken.IsCancellationRequested) break;
                _logger.LogInformation("Work-item stream from {Sidecar} ended; reconnecting", endpoint.Description);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (SidecarConfigurationException ex)
            {
                _logger.LogCritical("Workflow worker cannot start: {Error}", ex.Message);
                throw; // a setup error: reconnecting cannot fix it, so the host stops with this message
            }
            catch (Exception ex)
            {
                var level = failures == 0 ? LogLevel.Information : LogLevel.Warning;
                _logger.Log(level, "Cannot reach the workflow sidecar {Sidecar} ({Error}); retrying",
                    endpoint?.Description ?? "(not resolved)", ex is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : ex.Message);
            }
            if (_streamDeliveredItems)
            {
                failures = 0; // the stream worked and then ended: start the back-off afresh
                _streamDeliveredItems = false;
            }
            try
            {
                await Task.Delay(ReconnectDelay(failures++), _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await DrainInFlightAsync();
    }

    private TimeSpan ReconnectDelay(int failures)
    {
        var min = _options.ReconnectMinDelay.TotalMilliseconds;
        var max = _options.ReconnectMaxDelay.TotalMilliseconds;
        var exponential = Math.Min(max, min * Math.Pow(2, Math.Min(failures, 30)));
        var jittered = exponential * (0.8 + 0.4 * Random.Shared.NextDouble()); // spread reconnects of many workers
        return TimeSpan.FromMilliseconds(Math.Clamp(jittered, min, max));
    }

    private volatile bool _streamDeliveredItems;
    private volatile bool _connected;
    private volatile CancellationTokenSource? _currentStream;

    /// <summary>True while a work-item stream is open and the sidecar has answered it (headers or an item).</summary>
    public bool IsConnected => _connected;

    private void MarkConnected(SidecarEndpoint endpoint)
    {
        if (_streamDeliveredItems) return;
        _streamDeliveredItems = true;
        _connected = true;
        _logger.LogInformation("Connected to workflow sidecar {Sidecar}", endpoint.Description);
    }

    private async Task RunStreamAsync(TaskHubSidecarService.TaskHubSidecarServiceClient client, SidecarEndpoint endpoint, CancellationToken stoppingToken)
    {
        var request = new GetWorkItemsRequest();
        if (_options.UseStatefulHistory) request.Capabilities.Add(WorkerCapability.StatefulHistory);
        _sessions.Clear(); // what the sidecar assumes we hold is per stream

        using var streamCancellation = new CancellationTokenSource();
        _currentStream = streamCancellation;
        using var call = client.GetWorkItems(request, cancellationToken: streamCancellation.Token);
        var stopping = Task.Delay(Timeout.Infinite, stoppingToken);
        _streamDeliveredItems = false;
        // Sidecars that send headers up front (the embedded one does) count as connected right away.
        var streamEnded = false;
        _ = call.ResponseHeadersAsync.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully && !streamEnded) MarkConnected(endpoint);
        }, TaskScheduler.Default);
        try
        {
            while (true)
            {
                var moveNext = call.ResponseStream.MoveNext(CancellationToken.None);
                if (await Task.WhenAny(moveNext, stopping) == stopping)
                {
                    _ = moveNext.ContinueWith(t => _ = t.Exception, TaskScheduler.Default); // observed: the call is cancelled below
                    _logger.LogInformation("Worker stopping: no new work items; waiting for {Count} in flight", _inFlight.Count);
                    // Keep the stream open until in-flight items are answered, so their completion tokens stay valid.
                    await DrainInFlightAsync();
                    return;
                }
                if (!await moveNext)
                {
                    return;
                }
                MarkConnected(endpoint);
                Interlocked.Increment(ref _received);
                if (!await TryDispatchAsync(call.ResponseStream.Current, client, stoppingToken))
                {
                    await DrainInFlightAsync();
                    return;
                }
            }
        }
        finally
        {
            streamEnded = true;
            _connected = false;
            _currentStream = null;
            streamCancellation.Cancel();
        }
    }

    private async Task<bool> TryDispatchAsync(WorkItem item, TaskHubSidecarService.TaskHubSidecarServiceClient client, CancellationToken stoppingToken)
    {
        var slots = item.RequestCase switch
        {
            WorkItem.RequestOneofCase.WorkflowRequest => _workflowSlots,
            WorkItem.RequestOneofCase.ActivityRequest => _activitySlots,
            _ => null,
        };
        if (slots is null)
        {
            _logger.LogWarning("Ignoring a work item of unknown kind {Kind}", item.RequestCase);
            return true;
        }
        try
        {
            // Waiting here (not reading further) leaves surplus items with the sidecar for other workers.
            await slots.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false; // stopping: the item stays unanswered and is re-dispatched after the stream closes
        }
        var work = Task.Run(() => ProcessAsync(item, client, slots), CancellationToken.None);
        _inFlight.TryAdd(work, 0);
        // Synchronously, on the thread that finished the item: a thread-pool hop per work item only to forget it cost CPU.
        _ = work.ContinueWith(done => _inFlight.TryRemove(done, out _), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return true;
    }

    private async Task ProcessAsync(WorkItem item, TaskHubSidecarService.TaskHubSidecarServiceClient client, SemaphoreSlim slots)
    {
        var released = false;
        try
        {
            if (item.RequestCase == WorkItem.RequestOneofCase.WorkflowRequest)
            {
                var response = await _workflows.RunAsync(item.WorkflowRequest, _sessions, client, _hardStop.Token);
                response.CompletionToken = item.CompletionToken;
                ReleaseSlot();
                var accepted = false;
                try
                {
                    accepted = await CompleteAsync(() => client.CompleteWorkflowTaskAsync(response, cancellationToken: _hardStop.Token).ResponseAsync,
                        "workflow", item.WorkflowRequest.InstanceId);
                }
                catch (RpcException ex) when (IsRejection(ex))
                {
                    // Sending the same turn again would be rejected again: fail the workflow with the reason instead.
                    _logger.LogWarning("Sidecar rejected the turn of workflow {InstanceId} ({Status}: {Detail}); failing the workflow",
                        item.WorkflowRequest.InstanceId, ex.StatusCode, ex.Status.Detail);
                    await client.CompleteWorkflowTaskAsync(RejectedTurn(response, ex), cancellationToken: _hardStop.Token);
                }
                finally
                {
                    // The sidecar did not take this turn: what we hold no longer matches its history.
                    if (!accepted) _sessions.Remove(item.WorkflowRequest.InstanceId);
                }
            }
            else
            {
                var request = item.ActivityRequest;
                var response = await _activities.RunAsync(request, _hardStop.Token);
                ReleaseSlot();
                if (response is null) return;
                response.CompletionToken = item.CompletionToken;
                try
                {
                    await CompleteAsync(() => client.CompleteActivityTaskAsync(response, cancellationToken: _hardStop.Token).ResponseAsync,
                        $"activity '{request.Name}' (task {request.TaskId}) of", response.InstanceId);
                }
                catch (RpcException ex) when (IsRejection(ex))
                {
                    _logger.LogWarning("Sidecar rejected the result of activity {Name} of {InstanceId} ({Status}: {Detail}); reporting it as failed",
                        request.Name, response.InstanceId, ex.StatusCode, ex.Status.Detail);
                    response.Result = null;
                    response.FailureDetails = new WorkflowTaskFailureDetails("ActivityResultRejected",
                        $"The sidecar rejected the result of activity '{request.Name}' ({ex.StatusCode}: {ex.Status.Detail}).").ToProto();
                    await client.CompleteActivityTaskAsync(response, cancellationToken: _hardStop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (_hardStop.IsCancellationRequested)
        {
            // Shutdown timeout: the sidecar re-dispatches the unanswered item.
        }
        catch (Exception ex)
        {
            // An item left unanswered on a live stream would stay in flight forever; reconnecting makes the
            // sidecar hand it (and the stream's other items) out again.
            _logger.LogError(ex, "Work item for {InstanceId} could not be processed; reconnecting so the sidecar dispatches it again",
                item.WorkflowRequest?.InstanceId ?? item.ActivityRequest?.WorkflowInstance?.InstanceId);
            ResetStream();
        }
        finally
        {
            ReleaseSlot();
        }

        // The slot bounds the work itself, not the acknowledgement: the sidecar may hold an activity's
        // acknowledgement until the workflow turn it triggers is answered, and that turn can only reach
        // this worker while the stream reader is not stuck waiting for a slot.
        void ReleaseSlot()
        {
            if (!released)
            {
                released = true;
                slots.Release();
            }
        }
    }

    private static bool IsRejection(RpcException ex) =>
        ex.StatusCode is StatusCode.InvalidArgument or StatusCode.ResourceExhausted or StatusCode.FailedPrecondition;

    private static WorkflowResponse RejectedTurn(WorkflowResponse rejected, RpcException ex)
    {
        var failure = new WorkflowTaskFailureDetails("WorkflowResponseRejected",
            $"The sidecar rejected this workflow's turn ({ex.StatusCode}: {ex.Status.Detail}), e.g. a payload over its size limit.");
        var response = new WorkflowResponse { InstanceId = rejected.InstanceId, CompletionToken = rejected.CompletionToken };
        response.Actions.Add(new WorkflowAction
        {
            Id = rejected.Actions.Count == 0 ? 0 : rejected.Actions.Max(a => a.Id) + 1,
            CompleteWorkflow = new CompleteWorkflowAction { WorkflowStatus = OrchestrationStatus.Failed, FailureDetails = failure.ToProto() },
        });
        return response;
    }

    private void ResetStream()
    {
        try
        {
            _currentStream?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // that stream already ended
        }
    }

    private async Task<bool> CompleteAsync(Func<Task<CompleteTaskResponse>> complete, string what, string instanceId)
    {
        try
        {
            await complete();
            return true;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            _logger.LogInformation("Sidecar rejected a stale completion of {What} {InstanceId} (it was re-dispatched): {Detail}",
                what, instanceId, ex.Status.Detail);
            return false;
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.Cancelled)
        {
            _logger.LogWarning("Completion of {What} {InstanceId} not delivered ({Status}); the sidecar will dispatch it again",
                what, instanceId, ex.StatusCode);
            return false;
        }
    }

    private async Task DrainInFlightAsync()
    {
        try
        {
            await Task.WhenAll(_inFlight.Keys).WaitAsync(_hardStop.Token);
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("Shutdown timeout: {Count} work items left unanswered; the sidecar will dispatch them again", _inFlight.Count);
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _hardStop.Dispose();
        _workflowSlots.Dispose();
        _activitySlots.Dispose();
    }
}
