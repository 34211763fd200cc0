using Evolve.Durable.Protocol;
using Evolve.Durable.Sidecar.Storage;

namespace Evolve.Durable.Sidecar.Engine;

/// <summary>What a workflow turn's actions amount to: new history events and the effects to carry out.</summary>
internal sealed class TurnOutcome
{
    public List<HistoryEvent> Events { get; } = [];
    public List<(int TaskId, ScheduleTaskAction Action)> Activities { get; } = [];
    public List<(int TimerId, DateTimeOffset FireAt)> Timers { get; } = [];
    public List<(int TaskId, string InstanceId, CreateChildWorkflowAction Action)> Children { get; } = [];
    public List<(string InstanceId, CreateDetachedWorkflowAction Action)> Detached { get; } = [];
    public List<(string InstanceId, string Name, string? Data)> SentEvents { get; } = [];
    public List<TerminateWorkflowAction> Terminations { get; } = [];
    /// <summary>Set when the execution ends (completed, failed, terminated, or continued as new).</summary>
    public CompleteWorkflowAction? Completion { get; set; }
    /// <summary>Set when the response was malformed: the instance fails with this, nothing else happens.</summary>
    public TaskFailureDetails? Rejection { get; set; }
    public bool Stalled { get; set; }
}

/// <summary>
/// Pure transition: turns a worker's <see cref="WorkflowResponse"/> into history events and effects,
/// without touching any state. A malformed response yields a <see cref="TurnOutcome.Rejection"/> that
/// names the offending action, so the instance fails visibly instead of the sidecar throwing.
/// </summary>
internal static class WorkflowTurnApplier
{
    public const string InvalidActionErrorType = "InvalidWorkflowAction";

    /// <param name="maxUsedId">The highest event id in <paramref name="history"/> (-1 if none).</param>
    public static TurnOutcome Apply(InstanceRecord instance, IReadOnlyList<HistoryEvent> history, int maxUsedId,
        WorkflowResponse response, DateTimeOffset now, Func<string> newInstanceId)
    {
        var problem = FindProblem(history, maxUsedId, response);
        if (problem is null)
        {
            try
            {
                return Translate(instance, response, now, newInstanceId);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                // e.g. a timestamp outside the representable range
                problem = $"it could not be applied: {ex.Message}";
            }
        }
        return new TurnOutcome
        {
            Rejection = Events.Failure(InvalidActionErrorType,
                $"The worker's response for workflow instance '{instance.InstanceId}' was rejected: {problem}"),
        };
    }

    private static TurnOutcome Translate(InstanceRecord instance, WorkflowResponse response, DateTimeOffset now, Func<string> newInstanceId)
    {
        var outcome = new TurnOutcome();

        foreach (var action in response.Actions)
        {
            var e = Events.Create(now, action.Id);
            switch (action.WorkflowActionTypeCase)
            {
                case WorkflowAction.WorkflowActionTypeOneofCase.ScheduleTask:
                    var task = action.ScheduleTask;
                    e.TaskScheduled = new TaskScheduledEvent
                    {
                        Name = task.Name, Version = task.Version, Input = task.Input, TaskExecutionId = task.TaskExecutionId,
                    };
                    outcome.Activities.Add((action.Id, task));
                    break;
                case WorkflowAction.WorkflowActionTypeOneofCase.CreateTimer:
                    var timer = action.CreateTimer;
                    var created = new TimerCreatedEvent { FireAt = timer.FireAt };
                    if (timer.HasName)
                        created.Name = timer.Name;
                    switch (timer.OriginCase)
                    {
                        case CreateTimerAction.OriginOneofCase.CreateTimer: created.CreateTimer = timer.CreateTimer; break;
                        case CreateTimerAction.OriginOneofCase.ExternalEvent: created.ExternalEvent = timer.ExternalEvent; break;
                        case CreateTimerAction.OriginOneofCase.ActivityRetry: created.ActivityRetry = timer.ActivityRetry; break;
                        case CreateTimerAction.OriginOneofCase.ChildWorkflowRetry: created.ChildWorkflowRetry = timer.ChildWorkflowRetry; break;
                    }
                    e.TimerCreated = created;
                    outcome.Timers.Add((action.Id, timer.FireAt.ToDateTimeOffset()));
                    break;
                case WorkflowAction.WorkflowActionTypeOneofCase.CreateChildWorkflow:
                    var child = action.CreateChildWorkflow;
                    var childId = string.IsNullOrEmpty(child.InstanceId)
                        ? $"{instance.InstanceId}:{instance.ExecutionId}:{action.Id}"
                        : child.InstanceId;
                    e.ChildWorkflowInstanceCreated = new ChildWorkflowInstanceCreatedEvent
                    {
                        InstanceId = childId, Name = child.Name, Version = child.Version, Input = child.Input,
                    };
                    outcome.Children.Add((action.Id, childId, child));
                    break;
                case WorkflowAction.WorkflowActionTypeOneofCase.CreateDetachedWorkflow:
                    var detached = action.CreateDetachedWorkflow;
                    var detachedId = string.IsNullOrEmpty(detached.InstanceId) ? newInstanceId() : detached.InstanceId;
                    e.DetachedWorkflowInstanceCreated = new DetachedWorkflowInstanceCreatedEvent { InstanceId = detachedId };
                    outcome.Detached.Add((detachedId, detached));
                    break;
                case WorkflowAction.WorkflowActionTypeOneofCase.SendEvent:
                    var send = action.SendEvent;
                    e.EventSent = new EventSentEvent { InstanceId = send.Instance.InstanceId, Name = send.Name, Input = send.Data };
                    outcome.SentEvents.Add((send.Instance.InstanceId, send.Name, send.Data));
                    break;
                case WorkflowAction.WorkflowActionTypeOneofCase.TerminateWorkflow:
                    // Terminating another instance leaves no event of its own in this history.
                    outcome.Terminations.Add(action.TerminateWorkflow);
                    continue;
                case WorkflowAction.WorkflowActionTypeOneofCase.CompleteWorkflow:
                    var complete = action.CompleteWorkflow;
                    if (outcome.Completion is not null)
                        continue;
                    outcome.Completion = complete;
                    if (complete.WorkflowStatus == OrchestrationStatus.ContinuedAsNew)
                        continue; // the history is reset; the new execution starts from its own ExecutionStarted
                    e.ExecutionCompleted = new ExecutionCompletedEvent
                    {
                        WorkflowStatus = complete.WorkflowStatus, Result = complete.Result, FailureDetails = complete.FailureDetails,
                    };
                    break;
                case WorkflowAction.WorkflowActionTypeOneofCase.WorkflowVersionNotAvailable:
                    e.ExecutionStalled = new ExecutionStalledEvent
                    {
                        Reason = StalledReason.VersionNotAvailable,
                        Description = "The worker has no version of this workflow that matches its history.",
                    };
                    outcome.Stalled = true;
                    break;
            }
            outcome.Events.Add(e);
        }
        return outcome;
    }

    private static bool IsValid(Google.Protobuf.WellKnownTypes.Timestamp? timestamp)
    {
        if (timestamp is null)
            return true;
        try
        {
            timestamp.ToDateTimeOffset();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Returns a sentence naming what is wrong with the response, or null when it is well formed.</summary>
    private static string? FindProblem(IReadOnlyList<HistoryEvent> history, int maxUsedId, WorkflowResponse response)
    {
        // New actions normally carry ids above every id in the history; only then is a full scan needed.
        bool IdUsed(int id) => id <= maxUsedId && history.Any(past => past.EventId == id);
        HashSet<int>? seen = response.Actions.Count > 1 ? [] : null;
        foreach (var action in response.Actions)
        {
            if (action.Id < 0)
                return $"{Label(action)} has a negative id; each action's id is its sequence number (0, 1, 2, …).";
            if (seen is not null && !seen.Add(action.Id))
                return $"action id {action.Id} appears twice in one response; each action needs its own sequence number.";
            if (action.WorkflowActionTypeCase != WorkflowAction.WorkflowActionTypeOneofCase.CompleteWorkflow && IdUsed(action.Id))
                return $"{Label(action)} reuses id {action.Id}, which already has an event in the history; only new actions may be sent.";
            var problem = action.WorkflowActionTypeCase switch
            {
                WorkflowAction.WorkflowActionTypeOneofCase.None => "has no action type set (empty WorkflowAction).",
                WorkflowAction.WorkflowActionTypeOneofCase.ScheduleTask when string.IsNullOrWhiteSpace(action.ScheduleTask.Name) =>
                    "has an empty activity name (ScheduleTaskAction.name).",
                WorkflowAction.WorkflowActionTypeOneofCase.CreateTimer when action.CreateTimer.FireAt is null =>
                    "has no fire time (CreateTimerAction.fireAt).",
                WorkflowAction.WorkflowActionTypeOneofCase.CreateChildWorkflow when string.IsNullOrWhiteSpace(action.CreateChildWorkflow.Name) =>
                    "has an empty workflow name (CreateChildWorkflowAction.name).",
                WorkflowAction.WorkflowActionTypeOneofCase.CreateDetachedWorkflow when string.IsNullOrWhiteSpace(action.CreateDetachedWorkflow.Name) =>
                    "has an empty workflow name (CreateDetachedWorkflowAction.name).",
                WorkflowAction.WorkflowActionTypeOneofCase.CreateDetachedWorkflow when !IsValid(action.CreateDetachedWorkflow.ScheduledStartTimestamp) =>
                    "has a scheduledStartTimestamp outside years 1..9999 (CreateDetachedWorkflowAction.scheduledStartTimestamp).",
                WorkflowAction.WorkflowActionTypeOneofCase.SendEvent when string.IsNullOrEmpty(action.SendEvent.Instance?.InstanceId) =>
                    "has no target instance (SendEventAction.instance.instanceId).",
                WorkflowAction.WorkflowActionTypeOneofCase.SendEvent when string.IsNullOrWhiteSpace(action.SendEvent.Name) =>
                    "has an empty event name (SendEventAction.name).",
                WorkflowAction.WorkflowActionTypeOneofCase.TerminateWorkflow when string.IsNullOrEmpty(action.TerminateWorkflow.InstanceId) =>
                    "has no target instance (TerminateWorkflowAction.instanceId).",
                WorkflowAction.WorkflowActionTypeOneofCase.CompleteWorkflow when action.CompleteWorkflow.WorkflowStatus is not
                    (OrchestrationStatus.Completed or OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.ContinuedAsNew) =>
                    $"ends the workflow with status {action.CompleteWorkflow.WorkflowStatus}; use COMPLETED, FAILED, TERMINATED or CONTINUED_AS_NEW.",
                _ => null,
            };
            if (problem is not null)
                return $"{Label(action)} {problem}";
        }
        return null;
    }

    private static string Label(WorkflowAction action) => $"action {action.Id} ({action.WorkflowActionTypeCase})";
}
