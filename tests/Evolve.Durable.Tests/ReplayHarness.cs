using Evolve.Durable.Protocol;
using Evolve.Durable.Replay;
using Evolve.Durable.Serialization;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Tests;

/// <summary>
/// Drives the pure executor turn by turn the way a sidecar does: each turn starts with a
/// WorkflowStartedEvent, and the actions of a turn become history events (eventId = action id).
/// Every turn replays the whole history, so each test also checks that replay is deterministic.
/// </summary>
internal sealed class ReplayHarness
{
    private readonly Func<string, IWorkflow?> _resolve;
    private readonly WorkflowExecutor _executor;

    public ReplayHarness(Func<string, IWorkflow?> resolve, ILoggerFactory? loggerFactory = null)
    {
        _resolve = resolve;
        _executor = new WorkflowExecutor(loggerFactory);
    }

    public static ReplayHarness For<TWorkflow>(string? name = null) where TWorkflow : IWorkflow, new() =>
        new(n => n == (name ?? typeof(TWorkflow).Name) ? new TWorkflow() : null);

    public string InstanceId { get; init; } = "wf-1";
    public DateTime Now { get; set; } = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    public List<HistoryEvent> History { get; } = [];
    public WorkflowTurnResult? Last { get; private set; }
    public int Turns { get; private set; }

    /// <summary>First turn: WorkflowStarted + ExecutionStarted.</summary>
    public WorkflowTurnResult Start(string name, object? input = null, string? rawInput = null) =>
        Turn(Events.ExecutionStarted(name, InstanceId, rawInput ?? DurableJson.Serialize(input), Now));

    public WorkflowTurnResult Turn(params HistoryEvent[] newEvents)
    {
        var batch = new List<HistoryEvent> { Stamp(new HistoryEvent { EventId = -1, WorkflowStarted = new WorkflowStartedEvent() }) };
        batch.AddRange(newEvents.Select(Stamp));
        Last = _executor.Execute(InstanceId, History.ToList(), batch, _resolve, ["(test)"]);
        Turns++;
        History.AddRange(batch);
        foreach (var action in Last.Actions)
        {
            History.Add(Stamp(Events.FromAction(action)));
        }
        return Last;
    }

    /// <summary>Plays the sidecar until the workflow completes: activities answered by <paramref name="activity"/>, timers fired at their time.</summary>
    public WorkflowTurnResult RunToCompletion(Func<ScheduleTaskAction, int, HistoryEvent> activity, int maxTurns = 10_000)
    {
        while (Last is { IsCompleted: false } last && maxTurns-- > 0)
        {
            var pending = last.Actions;
            var next = new List<HistoryEvent>();
            foreach (var action in pending)
            {
                if (action.ScheduleTask is { } task) next.Add(activity(task, action.Id));
                else if (action.CreateTimer is { } timer)
                {
                    var fireAt = timer.FireAt.ToDateTime();
                    if (fireAt > Now) Now = fireAt;
                    next.Add(Events.TimerFired(action.Id, fireAt));
                }
            }
            if (next.Count == 0) throw new InvalidOperationException("The workflow waits for something the harness cannot supply.");
            Turn([.. next]);
        }
        return Last!;
    }

    private HistoryEvent Stamp(HistoryEvent e)
    {
        e.Timestamp ??= Timestamp.FromDateTime(Now);
        return e;
    }
}

/// <summary>Hand-built history events.</summary>
internal static class Events
{
    public static HistoryEvent ExecutionStarted(string name, string instanceId, string? input, DateTime at)
    {
        var started = new ExecutionStartedEvent { Name = name, WorkflowInstance = new WorkflowInstance { InstanceId = instanceId, ExecutionId = "exec-1" } };
        if (input is not null) started.Input = input;
        return new HistoryEvent { EventId = -1, Timestamp = Timestamp.FromDateTime(at), ExecutionStarted = started };
    }

    public static HistoryEvent TaskCompleted(int taskId, object? result) => new()
    {
        EventId = -1,
        TaskCompleted = DurableJson.Serialize(result) is { } json
            ? new TaskCompletedEvent { TaskScheduledId = taskId, Result = json }
            : new TaskCompletedEvent { TaskScheduledId = taskId },
    };

    public static HistoryEvent TaskFailed(int taskId, string errorType, string message) => new()
    {
        EventId = -1,
        TaskFailed = new TaskFailedEvent { TaskScheduledId = taskId, FailureDetails = new TaskFailureDetails { ErrorType = errorType, ErrorMessage = message } },
    };

    public static HistoryEvent TimerFired(int timerId, DateTime fireAt) => new()
    {
        EventId = -1,
        TimerFired = new TimerFiredEvent { TimerId = timerId, FireAt = Timestamp.FromDateTime(fireAt) },
    };

    public static HistoryEvent EventRaised(string name, object? payload)
    {
        var raised = new EventRaisedEvent { Name = name };
        if (DurableJson.Serialize(payload) is { } json) raised.Input = json;
        return new HistoryEvent { EventId = -1, EventRaised = raised };
    }

    public static HistoryEvent ChildCompleted(int taskId, object? result) => new()
    {
        EventId = -1,
        ChildWorkflowInstanceCompleted = new ChildWorkflowInstanceCompletedEvent { TaskScheduledId = taskId, Result = DurableJson.Serialize(result) },
    };

    public static HistoryEvent ChildFailed(int taskId, string errorType, string message) => new()
    {
        EventId = -1,
        ChildWorkflowInstanceFailed = new ChildWorkflowInstanceFailedEvent { TaskScheduledId = taskId, FailureDetails = new TaskFailureDetails { ErrorType = errorType, ErrorMessage = message } },
    };

    public static HistoryEvent Terminated(object? output) => new()
    {
        EventId = -1,
        ExecutionTerminated = DurableJson.Serialize(output) is { } json ? new ExecutionTerminatedEvent { Input = json } : new ExecutionTerminatedEvent(),
    };

    public static HistoryEvent Suspended() => new() { EventId = -1, ExecutionSuspended = new ExecutionSuspendedEvent() };
    public static HistoryEvent Resumed() => new() { EventId = -1, ExecutionResumed = new ExecutionResumedEvent() };

    public static HistoryEvent TaskScheduled(int id, string name) => new() { EventId = id, TaskScheduled = new TaskScheduledEvent { Name = name } };

    /// <summary>The event a sidecar records for an action.</summary>
    public static HistoryEvent FromAction(WorkflowAction action) => action.WorkflowActionTypeCase switch
    {
        WorkflowAction.WorkflowActionTypeOneofCase.ScheduleTask => new HistoryEvent
        {
            EventId = action.Id,
            TaskScheduled = new TaskScheduledEvent { Name = action.ScheduleTask.Name, Input = action.ScheduleTask.Input, TaskExecutionId = action.ScheduleTask.TaskExecutionId },
        },
        WorkflowAction.WorkflowActionTypeOneofCase.CreateTimer => new HistoryEvent
        {
            EventId = action.Id,
            TimerCreated = new TimerCreatedEvent { FireAt = action.CreateTimer.FireAt },
        },
        WorkflowAction.WorkflowActionTypeOneofCase.CreateChildWorkflow => new HistoryEvent
        {
            EventId = action.Id,
            ChildWorkflowInstanceCreated = new ChildWorkflowInstanceCreatedEvent
            {
                Name = action.CreateChildWorkflow.Name, InstanceId = action.CreateChildWorkflow.InstanceId, Input = action.CreateChildWorkflow.Input,
            },
        },
        WorkflowAction.WorkflowActionTypeOneofCase.SendEvent => new HistoryEvent
        {
            EventId = action.Id,
            EventSent = new EventSentEvent { Name = action.SendEvent.Name, InstanceId = action.SendEvent.Instance.InstanceId, Input = action.SendEvent.Data },
        },
        WorkflowAction.WorkflowActionTypeOneofCase.CompleteWorkflow => new HistoryEvent
        {
            EventId = -1,
            ExecutionCompleted = new ExecutionCompletedEvent
            {
                WorkflowStatus = action.CompleteWorkflow.WorkflowStatus, Result = action.CompleteWorkflow.Result, FailureDetails = action.CompleteWorkflow.FailureDetails,
            },
        },
        _ => throw new NotSupportedException(action.WorkflowActionTypeCase.ToString()),
    };
}
