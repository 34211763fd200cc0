using System.Runtime.CompilerServices;
using Evolve.Durable.Hosting;
using Evolve.Durable.Protocol;
using Evolve.Durable.Serialization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Evolve.Durable.Client;

/// <summary>Starts, inspects and controls workflow instances through the sidecar's management RPCs.</summary>
public sealed class DurableWorkflowClient(SidecarConnection connection)
{
    /// <summary>How long one long-poll waits before it is simply re-issued.</summary>
    private static readonly TimeSpan LongPollSlice = TimeSpan.FromSeconds(60);

    /// <summary>Starts a new instance and returns its id (a new GUID when <paramref name="instanceId"/> is null).</summary>
    public async Task<string> ScheduleNewWorkflowAsync(
        string name,
        string? instanceId = null,
        object? input = null,
        DateTimeOffset? startTime = null,
        ExistingInstanceBehavior ifExists = ExistingInstanceBehavior.Throw,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var id = string.IsNullOrEmpty(instanceId) ? Guid.NewGuid().ToString("N") : instanceId;
        var request = new CreateInstanceRequest { InstanceId = id, Name = name };
        if (DurableJson.Serialize(input) is { } json) request.Input = json;
        if (startTime is { } at) request.ScheduledStartTimestamp = Timestamp.FromDateTimeOffset(at);
        var client = await connection.GetClientAsync(cancellationToken);
        try
        {
            var response = await client.StartInstanceAsync(request, cancellationToken: cancellationToken);
            return string.IsNullOrEmpty(response.InstanceId) ? id : response.InstanceId;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
        {
            return ifExists == ExistingInstanceBehavior.ReturnExisting ? id : throw new WorkflowAlreadyExistsException(id, ex);
        }
    }

    /// <summary>The instance's state, or null when it does not exist.</summary>
    public async Task<WorkflowState?> GetWorkflowStateAsync(string instanceId, bool getInputsAndOutputs = true, CancellationToken cancellationToken = default)
    {
        var client = await connection.GetClientAsync(cancellationToken);
        var response = await client.GetInstanceAsync(NewGetRequest(instanceId, getInputsAndOutputs), cancellationToken: cancellationToken);
        return response.Exists ? WorkflowState.FromProto(response.WorkflowState) : null;
    }

    /// <summary>Waits until the instance left Pending (a worker picked it up).</summary>
    public Task<WorkflowState> WaitForWorkflowStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellationToken = default) =>
        LongPollAsync(instanceId, getInputsAndOutputs, start: true, cancellationToken);

    /// <summary>Waits until the instance completed, failed or was terminated.</summary>
    public Task<WorkflowState> WaitForWorkflowCompletionAsync(string instanceId, bool getInputsAndOutputs = true, CancellationToken cancellationToken = default) =>
        LongPollAsync(instanceId, getInputsAndOutputs, start: false, cancellationToken);

    public async Task RaiseEventAsync(string instanceId, string eventName, object? payload = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        var request = new RaiseEventRequest { InstanceId = instanceId, Name = eventName };
        if (DurableJson.Serialize(payload) is { } json) request.Input = json;
        var client = await connection.GetClientAsync(cancellationToken);
        await Translate(instanceId, () => client.RaiseEventAsync(request, cancellationToken: cancellationToken).ResponseAsync);
    }

    public async Task TerminateWorkflowAsync(string instanceId, object? output = null, bool recursive = true, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        var request = new TerminateRequest { InstanceId = instanceId, Recursive = recursive };
        if (DurableJson.Serialize(output) is { } json) request.Output = json;
        var client = await connection.GetClientAsync(cancellationToken);
        await Translate(instanceId, () => client.TerminateInstanceAsync(request, cancellationToken: cancellationToken).ResponseAsync);
    }

    public async Task SuspendWorkflowAsync(string instanceId, string? reason = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        var request = new SuspendRequest { InstanceId = instanceId };
        if (reason is not null) request.Reason = reason;
        var client = await connection.GetClientAsync(cancellationToken);
        await Translate(instanceId, () => client.SuspendInstanceAsync(request, cancellationToken: cancellationToken).ResponseAsync);
    }

    public async Task ResumeWorkflowAsync(string instanceId, string? reason = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        var request = new ResumeRequest { InstanceId = instanceId };
        if (reason is not null) request.Reason = reason;
        var client = await connection.GetClientAsync(cancellationToken);
        await Translate(instanceId, () => client.ResumeInstanceAsync(request, cancellationToken: cancellationToken).ResponseAsync);
    }

    /// <summary>Deletes a finished instance (and, with <paramref name="recursive"/>, its children); returns whether anything was deleted.</summary>
    public async Task<bool> PurgeInstanceAsync(string instanceId, bool recursive = true, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        var client = await connection.GetClientAsync(cancellationToken);
        var response = await client.PurgeInstancesAsync(new PurgeInstancesRequest { InstanceId = instanceId, Recursive = recursive },
            cancellationToken: cancellationToken);
        return response.DeletedInstanceCount > 0;
    }

    /// <summary>Every instance id, fetched page by page.</summary>
    public async IAsyncEnumerable<string> ListInstanceIdsAsync(int pageSize = 100, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var client = await connection.GetClientAsync(cancellationToken);
        string? continuation = null;
        do
        {
            var request = new ListInstanceIDsRequest { PageSize = (uint)pageSize };
            if (continuation is not null) request.ContinuationToken = continuation;
            var page = await client.ListInstanceIDsAsync(request, cancellationToken: cancellationToken);
            foreach (var id in page.InstanceIds) yield return id;
            continuation = page.HasContinuationToken && page.ContinuationToken.Length > 0 && page.InstanceIds.Count > 0 ? page.ContinuationToken : null;
        }
        while (continuation is not null);
    }

    /// <summary>The current execution's history, oldest first (format it with <see cref="WorkflowHistoryFormatter"/>).</summary>
    public async Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        var client = await connection.GetClientAsync(cancellationToken);
        var response = await Translate(instanceId, () =>
            client.GetInstanceHistoryAsync(new GetInstanceHistoryRequest { InstanceId = instanceId }, cancellationToken: cancellationToken).ResponseAsync);
        return response.Events;
    }

    private async Task<WorkflowState> LongPollAsync(string instanceId, bool getInputsAndOutputs, bool start, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        var client = await connection.GetClientAsync(cancellationToken);
        var request = NewGetRequest(instanceId, getInputsAndOutputs);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var deadline = DateTime.UtcNow + LongPollSlice;
                var response = start
                    ? await client.WaitForInstanceStartAsync(request, deadline: deadline, cancellationToken: cancellationToken)
                    : await client.WaitForInstanceCompletionAsync(request, deadline: deadline, cancellationToken: cancellationToken);
                if (!response.Exists) throw new WorkflowNotFoundException(instanceId);
                var state = WorkflowState.FromProto(response.WorkflowState);
                if (start ? state.RuntimeStatus != WorkflowRuntimeStatus.Pending : state.IsCompleted)
                {
                    return state;
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded)
            {
                // Nothing happened within this slice; ask again.
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                throw new WorkflowNotFoundException(instanceId);
            }
        }
    }

    private static GetInstanceRequest NewGetRequest(string instanceId, bool getInputsAndOutputs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        return new GetInstanceRequest { InstanceId = instanceId, GetInputsAndOutputs = getInputsAndOutputs };
    }

    private static async Task<T> Translate<T>(string instanceId, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            throw new WorkflowNotFoundException(instanceId);
        }
    }
}
