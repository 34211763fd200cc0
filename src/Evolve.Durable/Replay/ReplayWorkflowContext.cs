using Evolve.Durable.Protocol;
using Evolve.Durable.Serialization;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Replay;

/// <summary>
/// The workflow context during one turn: hands out sequence numbers to scheduling calls, records the
/// actions that are new, and completes the tasks the workflow awaits as history events are applied.
/// </summary>
internal sealed class ReplayWorkflowContext(string instanceId, ILoggerFactory loggerFactory) : WorkflowContext
{
    private readonly Dictionary<int, WorkflowAction> _unmatchedActions = [];
    private readonly Dictionary<int, TaskCompletionSource<HistoryEvent>> _openTasks = [];
    private readonly Dictionary<string, Queue<HistoryEvent>> _bufferedEvents = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, LinkedList<TaskCompletionSource<HistoryEvent>>> _eventWaiters = new(StringComparer.OrdinalIgnoreCase);
    private int _nextSequence;
    private int _newGuidCounter;
    private string _name = "";
    private string _instanceId = instanceId;

    public override string Name => _name;
    public override string InstanceId => _instanceId;
    public override DateTime CurrentUtcDateTime => CurrentTime;
    public override bool IsReplaying => Replaying;

    internal DateTime CurrentTime { get; set; } = DateTime.UnixEpoch;
    internal bool Replaying { get; set; }
    internal string ExecutionId { get; private set; } = "";
    internal string? CustomStatus { get; private set; }
    internal (string? Input, bool PreserveEvents)? ContinueAsNewRequest { get; private set; }

    /// <summary>Something durable (activity, timer, child, event) that the code still waits for.</summary>
    internal bool HasOpenWork => _unmatchedActions.Count > 0 || _openTasks.Count > 0 || _eventWaiters.Count > 0;

    internal void Start(string name, string id, string executionId)
    {
        _name = name;
        _instanceId = id;
        ExecutionId = executionId;
    }

    // ---- authoring API -------------------------------------------------------------------------

    public override async Task<T> CallActivityAsync<T>(string name, object? input = null, WorkflowTaskOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var inputJson = DurableJson.Serialize(input);
        var policy = options?.RetryPolicy;
        var firstSequence = _nextSequence;
        var taskExecutionId = DeterministicGuid.Create(DeterministicGuid.DnsNamespace, $"{_instanceId}:{ExecutionId}:task:{firstSequence}").ToString();
        for (var attempt = 1; ; attempt++)
        {
            var action = new ScheduleTaskAction { Name = name, TaskExecutionId = taskExecutionId };
            if (inputJson is not null) action.Input = inputJson;
            var outcome = await Schedule(new WorkflowAction { ScheduleTask = action });
            if (outcome.EventTypeCase == HistoryEvent.EventTypeOneofCase.TaskCompleted)
            {
                return DeserializeResult<T>(outcome.TaskCompleted.Result, $"activity '{name}'");
            }
            var failure = WorkflowTaskFailureDetails.FromProto(outcome.TaskFailed.FailureDetails)
                ?? new WorkflowTaskFailureDetails("Unknown", "The activity failed without details.");
            if (!ShouldRetry(policy, attempt, failure))
            {
                throw new WorkflowTaskFailedException($"Activity '{name}' failed: {failure}", failure);
            }
            var origin = new TimerOriginActivityRetry { TaskExecutionId = taskExecutionId };
            await CreateTimerCore(CurrentTime + policy!.GetDelayAfterAttempt(attempt), t => t.ActivityRetry = origin, default);
        }
    }

    public override async Task<T> CallChildWorkflowAsync<T>(string name, object? input = null, ChildWorkflowTaskOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var inputJson = DurableJson.Serialize(input);
        var policy = options?.RetryPolicy;
        var firstInstanceId = options?.InstanceId ?? $"{_instanceId}:{_nextSequence:X4}";
        for (var attempt = 1; ; attempt++)
        {
            var childId = attempt == 1 ? firstInstanceId : options?.InstanceId is null
                ? $"{_instanceId}:{_nextSequence:X4}"
                : $"{firstInstanceId}:retry{attempt - 1}";
            var action = new CreateChildWorkflowAction { Name = name, InstanceId = childId };
            if (inputJson is not null) action.Input = inputJson;
            if (attempt > 1) action.RetryParentInstanceInfo = new RetryParentInstanceInfo { InstanceID = firstInstanceId };
            var outcome = await Schedule(new WorkflowAction { CreateChildWorkflow = action });
            if (outcome.EventTypeCase == HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCompleted)
            {
                return DeserializeResult<T>(outcome.ChildWorkflowInstanceCompleted.Result, $"child workflow '{name}'");
            }
            var failure = WorkflowTaskFailureDetails.FromProto(outcome.ChildWorkflowInstanceFailed.FailureDetails)
                ?? new WorkflowTaskFailureDetails("Unknown", "The child workflow failed without details.");
            if (!ShouldRetry(policy, attempt, failure))
            {
                throw new WorkflowTaskFailedException($"Child workflow '{name}' ({childId}) failed: {failure}", failure);
            }
            var origin = new TimerOriginChildWorkflowRetry { InstanceId = firstInstanceId };
            await CreateTimerCore(CurrentTime + policy!.GetDelayAfterAttempt(attempt), t => t.ChildWorkflowRetry = origin, default);
        }
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken = default) =>
        CreateTimerCore(fireAt, t => t.CreateTimer = new TimerOriginCreateTimer(), cancellationToken);

    public override Task<T> WaitForExternalEventAsync<T>(string eventName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        return ConvertEvent<T>(WaitForEventCore(eventName, cancellationToken), eventName);
    }

    public override async Task<T> WaitForExternalEventAsync<T>(string eventName, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        if (TryTakeBufferedEvent(eventName, out var buffered))
        {
            return DeserializeEvent<T>(buffered, eventName);
        }
        using var waitCancellation = new CancellationTokenSource();
        using var timerCancellation = new CancellationTokenSource();
        var eventTask = WaitForEventCore(eventName, waitCancellation.Token);
        var timerTask = CreateTimerCore(CurrentTime + timeout, t => t.ExternalEvent = new TimerOriginExternalEvent { Name = eventName }, timerCancellation.Token);
        var first = await Task.WhenAny(eventTask, timerTask);
        if (first == timerTask)
        {
            waitCancellation.Cancel();
            throw new TaskCanceledException($"Timed out after {timeout} waiting for external event '{eventName}'.");
        }
        timerCancellation.Cancel();
        return DeserializeEvent<T>(await eventTask, eventName);
    }

    public override void SendEvent(string instanceId, string eventName, object? payload = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        var action = new SendEventAction { Instance = new WorkflowInstance { InstanceId = instanceId }, Name = eventName };
        if (DurableJson.Serialize(payload) is { } data) action.Data = data;
        AddAction(new WorkflowAction { SendEvent = action });
    }

    public override void SetCustomStatus(object? customStatus) => CustomStatus = DurableJson.Serialize(customStatus);

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) =>
        ContinueAsNewRequest = (DurableJson.Serialize(newInput), preserveUnprocessedEvents);

    public override Guid NewGuid() =>
        DeterministicGuid.Create(DeterministicGuid.DnsNamespace, $"{_instanceId}_{CurrentTime:o}_{_newGuidCounter++}");

    public override ILogger CreateReplaySafeLogger(string categoryName) =>
        new ReplaySafeLogger(loggerFactory.CreateLogger(categoryName), () => Replaying);

    // ---- applying history ----------------------------------------------------------------------

    /// <summary>A scheduling event from the history: the code must have asked for the same thing at that sequence number.</summary>
    internal void MatchScheduledEvent(HistoryEvent historyEvent)
    {
        if (!_unmatchedActions.Remove(historyEvent.EventId, out var action))
        {
            throw new WorkflowTurnFailure(WorkflowTurnFailure.NonDeterministic,
                $"Non-deterministic workflow '{_name}': history has {Describe(historyEvent)} at sequence {historyEvent.EventId}, " +
                "but the workflow code did not schedule anything at that point (a call was removed or reordered). " +
                "Changed workflow code must keep the order of its calls for instances already running.");
        }
        if (!IsSameRequest(historyEvent, action))
        {
            throw new WorkflowTurnFailure(WorkflowTurnFailure.NonDeterministic,
                $"Non-deterministic workflow '{_name}': history has {Describe(historyEvent)} at sequence {historyEvent.EventId}, " +
                $"but the workflow code scheduled {Describe(action)}. " +
                "Changed workflow code must keep the order of its calls for instances already running.");
        }
    }

    /// <summary>A completion (activity, child, timer) for the task at <paramref name="sequence"/>.</summary>
    internal void Complete(int sequence, HistoryEvent outcome)
    {
        // A missing entry is a duplicate or an abandoned (cancelled) timer: nothing waits for it.
        if (_openTasks.Remove(sequence, out var completion))
        {
            completion.TrySetResult(outcome);
        }
    }

    internal void RaiseEvent(HistoryEvent raised)
    {
        var name = raised.EventRaised.Name;
        if (_eventWaiters.TryGetValue(name, out var waiters))
        {
            var waiter = waiters.First!.Value;
            waiters.RemoveFirst();
            if (waiters.Count == 0) _eventWaiters.Remove(name);
            waiter.TrySetResult(raised);
            return;
        }
        if (!_bufferedEvents.TryGetValue(name, out var queue))
        {
            _bufferedEvents[name] = queue = new Queue<HistoryEvent>();
        }
        queue.Enqueue(raised);
    }

    /// <summary>New actions (not yet in the history), in sequence order.</summary>
    internal List<WorkflowAction> TakeNewActions()
    {
        var actions = _unmatchedActions.Values.OrderBy(a => a.Id).ToList();
        _unmatchedActions.Clear();
        return actions;
    }

    internal int NextSequence() => _nextSequence++;

    /// <summary>External events nobody consumed, in arrival order per name, for continue-as-new.</summary>
    internal IEnumerable<HistoryEvent> UnprocessedEvents() => _bufferedEvents.Values.SelectMany(q => q);

    // ---- internals -----------------------------------------------------------------------------

    private Task<HistoryEvent> Schedule(WorkflowAction action)
    {
        var sequence = AddAction(action);
        var completion = new TaskCompletionSource<HistoryEvent>();
        _openTasks[sequence] = completion;
        return completion.Task;
    }

    private int AddAction(WorkflowAction action)
    {
        action.Id = NextSequence();
        _unmatchedActions[action.Id] = action;
        return action.Id;
    }

    private async Task CreateTimerCore(DateTime fireAt, Action<CreateTimerAction> setOrigin, CancellationToken cancellationToken)
    {
        var action = new CreateTimerAction { FireAt = Timestamp.FromDateTime(DateTime.SpecifyKind(fireAt, DateTimeKind.Utc)) };
        setOrigin(action);
        var fired = Schedule(new WorkflowAction { CreateTimer = action });
        if (!cancellationToken.CanBeCanceled)
        {
            await fired;
            return;
        }
        var sequence = _nextSequence - 1;
        var cancelled = new TaskCompletionSource();
        await using var registration = cancellationToken.Register(() =>
        {
            _openTasks.Remove(sequence);
            cancelled.TrySetCanceled(cancellationToken);
        });
        await await Task.WhenAny(fired, cancelled.Task);
    }

    private Task<HistoryEvent> WaitForEventCore(string eventName, CancellationToken cancellationToken)
    {
        if (TryTakeBufferedEvent(eventName, out var buffered))
        {
            return Task.FromResult(buffered);
        }
        var waiter = new TaskCompletionSource<HistoryEvent>();
        if (!_eventWaiters.TryGetValue(eventName, out var waiters))
        {
            _eventWaiters[eventName] = waiters = new LinkedList<TaskCompletionSource<HistoryEvent>>();
        }
        var node = waiters.AddLast(waiter);
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.Register(() =>
            {
                if (node.List is { } list)
                {
                    list.Remove(node);
                    if (list.Count == 0) _eventWaiters.Remove(eventName);
                }
                waiter.TrySetCanceled(cancellationToken);
            });
        }
        return waiter.Task;
    }

    private bool TryTakeBufferedEvent(string eventName, out HistoryEvent raised)
    {
        if (_bufferedEvents.TryGetValue(eventName, out var queue) && queue.TryDequeue(out raised!))
        {
            if (queue.Count == 0) _bufferedEvents.Remove(eventName);
            return true;
        }
        raised = null!;
        return false;
    }

    private static async Task<T> ConvertEvent<T>(Task<HistoryEvent> raised, string eventName) =>
        DeserializeEvent<T>(await raised, eventName);

    private static T DeserializeEvent<T>(HistoryEvent raised, string eventName) =>
        DeserializeResult<T>(raised.EventRaised.Input, $"external event '{eventName}'");

    private static T DeserializeResult<T>(string? json, string source)
    {
        try
        {
            return DurableJson.Deserialize<T>(json)!;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException)
        {
            throw new InvalidOperationException(
                $"The result of {source} could not be read as {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    private static bool ShouldRetry(WorkflowRetryPolicy? policy, int attempt, WorkflowTaskFailureDetails failure) =>
        policy is not null && attempt < policy.MaxNumberOfAttempts && !failure.IsNonRetriable && policy.Handle(failure);

    private static bool IsSameRequest(HistoryEvent historyEvent, WorkflowAction action) => historyEvent.EventTypeCase switch
    {
        HistoryEvent.EventTypeOneofCase.TaskScheduled =>
            action.ScheduleTask is { } task && task.Name == historyEvent.TaskScheduled.Name,
        HistoryEvent.EventTypeOneofCase.TimerCreated => action.CreateTimer is not null,
        HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCreated =>
            action.CreateChildWorkflow is { } child && child.Name == historyEvent.ChildWorkflowInstanceCreated.Name,
        HistoryEvent.EventTypeOneofCase.EventSent =>
            action.SendEvent is { } sent && sent.Name == historyEvent.EventSent.Name
            && sent.Instance?.InstanceId == historyEvent.EventSent.InstanceId,
        _ => false,
    };

    internal static string Describe(HistoryEvent e) => e.EventTypeCase switch
    {
        HistoryEvent.EventTypeOneofCase.TaskScheduled => $"TaskScheduled '{e.TaskScheduled.Name}'",
        HistoryEvent.EventTypeOneofCase.TimerCreated => $"TimerCreated (fires {e.TimerCreated.FireAt?.ToDateTime():o})",
        HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCreated => $"ChildWorkflowInstanceCreated '{e.ChildWorkflowInstanceCreated.Name}'",
        HistoryEvent.EventTypeOneofCase.EventSent => $"EventSent '{e.EventSent.Name}' to '{e.EventSent.InstanceId}'",
        _ => e.EventTypeCase.ToString(),
    };

    internal static string Describe(WorkflowAction a) => a.WorkflowActionTypeCase switch
    {
        WorkflowAction.WorkflowActionTypeOneofCase.ScheduleTask => $"activity '{a.ScheduleTask.Name}'",
        WorkflowAction.WorkflowActionTypeOneofCase.CreateTimer => "a durable timer",
        WorkflowAction.WorkflowActionTypeOneofCase.CreateChildWorkflow => $"child workflow '{a.CreateChildWorkflow.Name}'",
        WorkflowAction.WorkflowActionTypeOneofCase.SendEvent => $"event '{a.SendEvent.Name}' to '{a.SendEvent.Instance?.InstanceId}'",
        _ => a.WorkflowActionTypeCase.ToString(),
    };
}
