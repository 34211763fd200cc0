using Evolve.Durable.Protocol;
using Google.Protobuf.WellKnownTypes;

namespace Evolve.Durable.Sidecar.Engine;

/// <summary>Builds history events; every event gets a timestamp and, unless an action stands behind it, eventId -1.</summary>
internal static class Events
{
    public const int NoAction = -1;

    public static HistoryEvent Create(DateTimeOffset now, int eventId = NoAction) =>
        new() { EventId = eventId, Timestamp = Timestamp.FromDateTimeOffset(now) };

    public static HistoryEvent WorkflowStarted(DateTimeOffset now)
    {
        var e = Create(now);
        e.WorkflowStarted = new WorkflowStartedEvent();
        return e;
    }

    public static HistoryEvent ExecutionStarted(DateTimeOffset now, string instanceId, string executionId, string name,
        string? version, string? input, ParentInstanceInfo? parent, DateTimeOffset? scheduledStart,
        IReadOnlyDictionary<string, string>? tags)
    {
        var started = new ExecutionStartedEvent
        {
            Name = name,
            Version = version,
            Input = input,
            WorkflowInstance = new WorkflowInstance { InstanceId = instanceId, ExecutionId = executionId },
            ParentInstance = parent,
            ScheduledStartTimestamp = scheduledStart is { } at ? Timestamp.FromDateTimeOffset(at) : null,
        };
        if (tags is not null)
            foreach (var (key, value) in tags)
                started.Tags[key] = value;
        var e = Create(now);
        e.ExecutionStarted = started;
        return e;
    }

    public static HistoryEvent ExecutionCompleted(DateTimeOffset now, int eventId, OrchestrationStatus status,
        string? result, TaskFailureDetails? failure)
    {
        var e = Create(now, eventId);
        e.ExecutionCompleted = new ExecutionCompletedEvent { WorkflowStatus = status, Result = result, FailureDetails = failure };
        return e;
    }

    public static HistoryEvent ExecutionTerminated(DateTimeOffset now, string? output, bool recurse)
    {
        var e = Create(now);
        e.ExecutionTerminated = new ExecutionTerminatedEvent { Input = output, Recurse = recurse };
        return e;
    }

    public static HistoryEvent ExecutionSuspended(DateTimeOffset now, string? reason)
    {
        var e = Create(now);
        e.ExecutionSuspended = new ExecutionSuspendedEvent { Input = reason };
        return e;
    }

    public static HistoryEvent ExecutionResumed(DateTimeOffset now, string? reason)
    {
        var e = Create(now);
        e.ExecutionResumed = new ExecutionResumedEvent { Input = reason };
        return e;
    }

    public static HistoryEvent EventRaised(DateTimeOffset now, string name, string? input)
    {
        var e = Create(now);
        e.EventRaised = new EventRaisedEvent { Name = name, Input = input };
        return e;
    }

    public static HistoryEvent TaskCompleted(DateTimeOffset now, int taskId, string taskExecutionId, string? result)
    {
        var e = Create(now);
        e.TaskCompleted = new TaskCompletedEvent { TaskScheduledId = taskId, TaskExecutionId = taskExecutionId, Result = result };
        return e;
    }

    public static HistoryEvent TaskFailed(DateTimeOffset now, int taskId, string taskExecutionId, TaskFailureDetails failure)
    {
        var e = Create(now);
        e.TaskFailed = new TaskFailedEvent { TaskScheduledId = taskId, TaskExecutionId = taskExecutionId, FailureDetails = failure };
        return e;
    }

    public static HistoryEvent TimerFired(DateTimeOffset now, int timerId, DateTimeOffset fireAt)
    {
        var e = Create(now);
        e.TimerFired = new TimerFiredEvent { TimerId = timerId, FireAt = Timestamp.FromDateTimeOffset(fireAt) };
        return e;
    }

    public static HistoryEvent ChildCompleted(DateTimeOffset now, int taskScheduledId, string? result)
    {
        var e = Create(now);
        e.ChildWorkflowInstanceCompleted = new ChildWorkflowInstanceCompletedEvent { TaskScheduledId = taskScheduledId, Result = result };
        return e;
    }

    public static HistoryEvent ChildFailed(DateTimeOffset now, int taskScheduledId, TaskFailureDetails failure)
    {
        var e = Create(now);
        e.ChildWorkflowInstanceFailed = new ChildWorkflowInstanceFailedEvent { TaskScheduledId = taskScheduledId, FailureDetails = failure };
        return e;
    }

    public static TaskFailureDetails Failure(string errorType, string message) =>
        new() { ErrorType = errorType, ErrorMessage = message, IsNonRetriable = true };
}
