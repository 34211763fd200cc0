using Evolve.Durable.Protocol;
using Evolve.Durable.Serialization;

namespace Evolve.Durable.Client;

/// <summary>Lifecycle of a workflow instance (Dapr's OrchestrationStatus, friendlier).</summary>
public enum WorkflowRuntimeStatus
{
    Unknown = -1,
    Running = 0,
    Completed = 1,
    ContinuedAsNew = 2,
    Failed = 3,
    Canceled = 4,
    Terminated = 5,
    Pending = 6,
    Suspended = 7,
    Stalled = 8,
}

/// <summary>What to do when starting an instance whose id already exists.</summary>
public enum ExistingInstanceBehavior
{
    /// <summary>Throw <see cref="WorkflowAlreadyExistsException"/>.</summary>
    Throw,

    /// <summary>Leave the existing instance alone and return its id (idempotent start).</summary>
    ReturnExisting,
}

/// <summary>A snapshot of one workflow instance.</summary>
public sealed record WorkflowState(
    string InstanceId,
    string Name,
    WorkflowRuntimeStatus RuntimeStatus,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    DateTimeOffset? CompletedAt,
    string? SerializedInput,
    string? SerializedOutput,
    string? SerializedCustomStatus,
    WorkflowTaskFailureDetails? FailureDetails,
    string? ParentInstanceId,
    string? ExecutionId)
{
    /// <summary>True once the instance reached a final status (completed, failed, terminated, canceled).</summary>
    public bool IsCompleted => RuntimeStatus is WorkflowRuntimeStatus.Completed or WorkflowRuntimeStatus.Failed
        or WorkflowRuntimeStatus.Terminated or WorkflowRuntimeStatus.Canceled;

    public T? ReadInputAs<T>() => DurableJson.Deserialize<T>(SerializedInput);
    public T? ReadOutputAs<T>() => DurableJson.Deserialize<T>(SerializedOutput);
    public T? ReadCustomStatusAs<T>() => DurableJson.Deserialize<T>(SerializedCustomStatus);

    internal static WorkflowState FromProto(Protocol.WorkflowState s) => new(
        s.InstanceId,
        s.Name,
        ToStatus(s.WorkflowStatus),
        s.CreatedTimestamp?.ToDateTimeOffset() ?? default,
        s.LastUpdatedTimestamp?.ToDateTimeOffset() ?? default,
        s.CompletedTimestamp?.ToDateTimeOffset(),
        s.Input,
        s.Output,
        s.CustomStatus,
        WorkflowTaskFailureDetails.FromProto(s.FailureDetails),
        s.ParentInstanceId,
        s.ExecutionId);

    internal static WorkflowRuntimeStatus ToStatus(OrchestrationStatus status) =>
        Enum.IsDefined((WorkflowRuntimeStatus)(int)status) ? (WorkflowRuntimeStatus)(int)status : WorkflowRuntimeStatus.Unknown;
}

public sealed class WorkflowAlreadyExistsException(string instanceId, Exception? inner = null)
    : InvalidOperationException($"A workflow instance with id '{instanceId}' already exists. Choose another id, or start with ExistingInstanceBehavior.ReturnExisting to make the start idempotent.", inner)
{
    public string InstanceId { get; } = instanceId;
}

public sealed class WorkflowNotFoundException(string instanceId)
    : InvalidOperationException($"No workflow instance with id '{instanceId}' exists (never started, or purged).")
{
    public string InstanceId { get; } = instanceId;
}
