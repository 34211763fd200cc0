using Evolve.Durable.Protocol;
using Evolve.Durable.Sidecar.Engine;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Evolve.Durable.Sidecar.Grpc;

/// <summary>
/// gRPC face of the sidecar: checks each request's arguments (naming the bad field), then hands it to
/// the <see cref="SidecarEngine"/>. Engine errors arrive already as gRPC statuses.
/// </summary>
internal sealed class TaskHubSidecarGrpcService(SidecarEngine engine) : TaskHubSidecarService.TaskHubSidecarServiceBase
{
    private static readonly Empty EmptyReply = new();
    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);

    public override Task<Empty> Hello(Empty request, ServerCallContext context) => Task.FromResult(EmptyReply);

    public override async Task<CreateInstanceResponse> StartInstance(CreateInstanceRequest request, ServerCallContext context)
    {
        Require.NotBlank(request.Name, "CreateInstanceRequest.name", "the registered workflow name to run");
        Require.ValidTimestamp(request.ScheduledStartTimestamp, "CreateInstanceRequest.scheduledStartTimestamp");
        var instanceId = await engine.StartAsync(request).ConfigureAwait(false);
        return new CreateInstanceResponse { InstanceId = instanceId };
    }

    public override async Task<GetInstanceResponse> GetInstance(GetInstanceRequest request, ServerCallContext context)
    {
        Require.NotBlank(request.InstanceId, "GetInstanceRequest.instanceId", "the id of the instance to read");
        var state = await engine.GetAsync(request.InstanceId, request.GetInputsAndOutputs).ConfigureAwait(false);
        return state is null ? new GetInstanceResponse { Exists = false } : new GetInstanceResponse { Exists = true, WorkflowState = state };
    }

    public override Task<GetInstanceResponse> WaitForInstanceStart(GetInstanceRequest request, ServerCallContext context) =>
        WaitAsync(request, status => status != OrchestrationStatus.Pending, context);

    public override Task<GetInstanceResponse> WaitForInstanceCompletion(GetInstanceRequest request, ServerCallContext context) =>
        WaitAsync(request, status => status is OrchestrationStatus.Completed or OrchestrationStatus.Failed
            or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled, context);

    private async Task<GetInstanceResponse> WaitAsync(GetInstanceRequest request, Func<OrchestrationStatus, bool> reached, ServerCallContext context)
    {
        Require.NotBlank(request.InstanceId, "GetInstanceRequest.instanceId", "the id of the instance to wait for");
        try
        {
            var state = await engine.WaitAsync(request.InstanceId, request.GetInputsAndOutputs, reached, context.CancellationToken)
                .ConfigureAwait(false);
            return new GetInstanceResponse { Exists = true, WorkflowState = state };
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested || engine.Stopping.IsCancellationRequested)
        {
            throw new RpcException(new Status(engine.Stopping.IsCancellationRequested ? StatusCode.Unavailable : StatusCode.DeadlineExceeded,
                $"Stopped waiting for instance '{request.InstanceId}': the call's deadline passed or it was cancelled."));
        }
    }

    public override async Task<RaiseEventResponse> RaiseEvent(RaiseEventRequest request, ServerCallContext context)
    {
        Require.NotBlank(request.InstanceId, "RaiseEventRequest.instanceId", "the id of the instance to notify");
        Require.NotBlank(request.Name, "RaiseEventRequest.name", "the event name the workflow waits for");
        await engine.RaiseEventAsync(request.InstanceId, request.Name, request.Input).ConfigureAwait(false);
        return new RaiseEventResponse();
    }

    public override async Task<TerminateResponse> TerminateInstance(TerminateRequest request, ServerCallContext context)
    {
        Require.NotBlank(request.InstanceId, "TerminateRequest.instanceId", "the id of the instance to terminate");
        await engine.TerminateAsync(request.InstanceId, request.Output, request.Recursive).ConfigureAwait(false);
        return new TerminateResponse();
    }

    public override async Task<SuspendResponse> SuspendInstance(SuspendRequest request, ServerCallContext context)
    {
        Require.NotBlank(request.InstanceId, "SuspendRequest.instanceId", "the id of the instance to suspend");
        await engine.SuspendAsync(request.InstanceId, request.Reason).ConfigureAwait(false);
        return new SuspendResponse();
    }

    public override async Task<ResumeResponse> ResumeInstance(ResumeRequest request, ServerCallContext context)
    {
        Require.NotBlank(request.InstanceId, "ResumeRequest.instanceId", "the id of the instance to resume");
        await engine.ResumeAsync(request.InstanceId, request.Reason).ConfigureAwait(false);
        return new ResumeResponse();
    }

    public override async Task<PurgeInstancesResponse> PurgeInstances(PurgeInstancesRequest request, ServerCallContext context)
    {
        var force = request.HasForce && request.Force;
        var count = request.RequestCase switch
        {
            PurgeInstancesRequest.RequestOneofCase.InstanceId when !string.IsNullOrWhiteSpace(request.InstanceId) =>
                await engine.PurgeAsync(request.InstanceId, request.Recursive, force).ConfigureAwait(false),
            PurgeInstancesRequest.RequestOneofCase.PurgeInstanceFilter when Require.ValidTimestamp(request.PurgeInstanceFilter.CreatedTimeFrom,
                    "PurgeInstanceFilter.createdTimeFrom") && Require.ValidTimestamp(request.PurgeInstanceFilter.CreatedTimeTo, "PurgeInstanceFilter.createdTimeTo") =>
                await engine.PurgeAsync(request.PurgeInstanceFilter, request.Recursive, force).ConfigureAwait(false),
            _ => throw Require.Invalid("PurgeInstancesRequest needs either instanceId (non-empty) or purgeInstanceFilter."),
        };
        return new PurgeInstancesResponse { DeletedInstanceCount = count, IsComplete = true };
    }

    public override async Task GetWorkItems(GetWorkItemsRequest request, IServerStreamWriter<WorkItem> responseStream, ServerCallContext context)
    {
        var worker = engine.Connect(request.Capabilities);
        try
        {
            // Headers first, so the worker knows it is attached before any item arrives.
            await context.WriteResponseHeadersAsync([]).ConfigureAwait(false);
            await engine.StreamWorkItemsAsync(worker, (item, flush) =>
            {
                responseStream.WriteOptions = flush ? null : Buffered;
                return responseStream.WriteAsync(item);
            }, context.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The worker went away or the sidecar is stopping.
        }
        finally
        {
            // Whatever ended the stream (even a failed header write), its items go back for reassignment.
            engine.Disconnect(worker);
        }
    }

    public override async Task<CompleteTaskResponse> CompleteActivityTask(ActivityResponse request, ServerCallContext context)
    {
        Require.NotBlank(request.CompletionToken, "ActivityResponse.completionToken", "the completionToken of the activity work item");
        await engine.CompleteActivityAsync(request).ConfigureAwait(false);
        return new CompleteTaskResponse();
    }

    [Obsolete("Older name of CompleteWorkflowTask, still served for older workers.")]
    public override Task<CompleteTaskResponse> CompleteOrchestratorTask(WorkflowResponse request, ServerCallContext context) =>
        CompleteWorkflowTask(request, context);

    public override async Task<CompleteTaskResponse> CompleteWorkflowTask(WorkflowResponse request, ServerCallContext context)
    {
        Require.NotBlank(request.CompletionToken, "WorkflowResponse.completionToken", "the completionToken of the workflow work item");
        await engine.CompleteWorkflowTurnAsync(request).ConfigureAwait(false);
        return new CompleteTaskResponse();
    }

    public override Task<RerunWorkflowFromEventResponse> RerunWorkflowFromEvent(RerunWorkflowFromEventRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented,
            "RerunWorkflowFromEvent is not supported by the embedded sidecar; start a new instance with the desired input instead."));

    public override async Task<ListInstanceIDsResponse> ListInstanceIDs(ListInstanceIDsRequest request, ServerCallContext context)
    {
        var pageSize = request.HasPageSize && request.PageSize > 0 ? (int)Math.Min(request.PageSize, 10_000) : engine.Options.DefaultListPageSize;
        var after = request.HasContinuationToken && request.ContinuationToken.Length > 0 ? request.ContinuationToken : null;
        var (ids, continuation) = await engine.ListInstanceIdsAsync(after, pageSize).ConfigureAwait(false);
        var response = new ListInstanceIDsResponse();
        response.InstanceIds.AddRange(ids);
        if (continuation is not null)
            response.ContinuationToken = continuation;
        return response;
    }

    public override async Task<GetInstanceHistoryResponse> GetInstanceHistory(GetInstanceHistoryRequest request, ServerCallContext context)
    {
        Require.NotBlank(request.InstanceId, "GetInstanceHistoryRequest.instanceId", "the id of the instance whose history to read");
        var events = await engine.GetHistoryAsync(request.InstanceId).ConfigureAwait(false);
        var response = new GetInstanceHistoryResponse();
        response.Events.AddRange(events);
        return response;
    }
}

/// <summary>Argument checks that fail with INVALID_ARGUMENT naming the field and what it should hold.</summary>
internal static class Require
{
    public static void NotBlank(string? value, string field, string expected)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw Invalid($"{field} is empty; pass {expected}.");
    }

    /// <summary>Accepts null; otherwise the timestamp must be one .NET can represent (years 1..9999).</summary>
    public static bool ValidTimestamp(Timestamp? value, string field)
    {
        if (value is null)
            return true;
        try
        {
            value.ToDateTimeOffset();
            return true;
        }
        catch (InvalidOperationException)
        {
            throw Invalid($"{field} ({value.Seconds}s, {value.Nanos}ns) is not a valid UTC time; use a time between years 1 and 9999.");
        }
    }

    public static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
