using Evolve.Durable.Protocol;
using Evolve.Durable.Serialization;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evolve.Durable.Replay;

/// <summary>What one workflow turn produced.</summary>
/// <param name="Actions">New actions only, each with id = its sequence number; a completion is last.</param>
/// <param name="CustomStatus">JSON custom status set by the code (null when never set).</param>
/// <param name="IsCompleted">True when the execution ended (completed, failed, terminated or continued as new).</param>
public sealed record WorkflowTurnResult(IReadOnlyList<WorkflowAction> Actions, string? CustomStatus, bool IsCompleted)
{
    /// <summary>The completion action when the execution ended, else null.</summary>
    public CompleteWorkflowAction? Completion =>
        Actions.Count > 0 && Actions[^1].CompleteWorkflow is { } done ? done : null;
}

/// <summary>
/// Pure replay: runs workflow code against (past events, new events) and returns the new actions.
/// No I/O; the code runs on the calling thread under a single-threaded synchronization context, so
/// the same history always yields the same actions.
/// </summary>
public sealed class WorkflowExecutor(ILoggerFactory? loggerFactory = null)
{
    private readonly ILoggerFactory _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;

    /// <param name="resolveWorkflow">Creates the workflow for a name from ExecutionStartedEvent, or null when none is registered.</param>
    /// <param name="registeredNames">Listed in the error when the name is unknown.</param>
    public WorkflowTurnResult Execute(
        string instanceId,
        IReadOnlyList<HistoryEvent> pastEvents,
        IReadOnlyList<HistoryEvent> newEvents,
        Func<string, IWorkflow?> resolveWorkflow,
        IEnumerable<string>? registeredNames = null)
    {
        var run = new Turn(new ReplayWorkflowContext(instanceId, _loggerFactory), resolveWorkflow, registeredNames);
        var syncContext = new WorkflowSynchronizationContext();
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(syncContext);
        try
        {
            return run.Execute(pastEvents, newEvents, syncContext);
        }
        finally
        {
            syncContext.Close();
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    private sealed class Turn(ReplayWorkflowContext context, Func<string, IWorkflow?> resolveWorkflow, IEnumerable<string>? registeredNames)
    {
        private Task<object?>? _workflowTask;
        private bool _suspended;
        private readonly List<(HistoryEvent Event, bool Replaying)> _deferredWhileSuspended = [];
        private HistoryEvent? _terminated;
        private DateTime _lastTimestamp = DateTime.UnixEpoch;

        public WorkflowTurnResult Execute(IReadOnlyList<HistoryEvent> pastEvents, IReadOnlyList<HistoryEvent> newEvents, WorkflowSynchronizationContext syncContext)
        {
            try
            {
                for (var i = 0; i < pastEvents.Count + newEvents.Count && _terminated is null; i++)
                {
                    var replaying = i < pastEvents.Count;
                    var historyEvent = replaying ? pastEvents[i] : newEvents[i - pastEvents.Count];
                    Dispatch(historyEvent, replaying, syncContext);
                }
                if (_terminated is not null)
                {
                    return Finish(OrchestrationStatus.Terminated, _terminated.ExecutionTerminated.Input, failure: null);
                }
                if (_workflowTask is null)
                {
                    throw new WorkflowTurnFailure(WorkflowTurnFailure.InvalidHistory,
                        $"Workflow instance '{context.InstanceId}' has no ExecutionStartedEvent in its history, so there is nothing to run.");
                }
                if (syncContext.SawForeignPost)
                {
                    throw NonDurableAwait();
                }
                if (_workflowTask.IsCompleted)
                {
                    return CompleteFromWorkflowTask(_workflowTask);
                }
                if (!context.HasOpenWork && !_suspended)
                {
                    throw NonDurableAwait();
                }
                return new WorkflowTurnResult(context.TakeNewActions(), context.CustomStatus, IsCompleted: false);
            }
            catch (WorkflowTurnFailure failure)
            {
                return Fail(new WorkflowTaskFailureDetails(failure.ErrorType, failure.Message));
            }
            catch (Exception ex)
            {
                // Thrown outside any awaited task (e.g. by an async void method in workflow code).
                return Fail(WorkflowTaskFailureDetails.FromException(ex));
            }
        }

        private WorkflowTurnFailure NonDurableAwait() => new(WorkflowTurnFailure.NonDurableAwait,
            $"Workflow '{context.Name}' awaited a task that is not durable (e.g. Task.Delay, Task.Run or I/O), which cannot be " +
            "replayed. Use context.CreateTimer for delays and CallActivityAsync for any I/O or computation.");

        private void Dispatch(HistoryEvent historyEvent, bool replaying, WorkflowSynchronizationContext syncContext)
        {
            if (_suspended && historyEvent.EventTypeCase is not (HistoryEvent.EventTypeOneofCase.ExecutionResumed or HistoryEvent.EventTypeOneofCase.ExecutionTerminated))
            {
                _deferredWhileSuspended.Add((historyEvent, replaying));
                return;
            }
            context.Replaying = replaying;
            Apply(historyEvent);
            syncContext.Drain();
            if (historyEvent.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionResumed)
            {
                var deferred = _deferredWhileSuspended.ToList();
                _deferredWhileSuspended.Clear();
                foreach (var (e, wasReplaying) in deferred)
                {
                    Dispatch(e, wasReplaying, syncContext);
                }
            }
        }

        private void Apply(HistoryEvent e)
        {
            if (e.Timestamp is { } ts) _lastTimestamp = ts.ToDateTime();
            switch (e.EventTypeCase)
            {
                case HistoryEvent.EventTypeOneofCase.WorkflowStarted:
                    context.CurrentTime = _lastTimestamp;
                    break;
                case HistoryEvent.EventTypeOneofCase.ExecutionStarted:
                    StartWorkflow(e);
                    break;
                case HistoryEvent.EventTypeOneofCase.TaskScheduled:
                case HistoryEvent.EventTypeOneofCase.TimerCreated:
                case HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCreated:
                case HistoryEvent.EventTypeOneofCase.EventSent:
                    context.MatchScheduledEvent(e);
                    break;
                case HistoryEvent.EventTypeOneofCase.TaskCompleted:
                    context.Complete(e.TaskCompleted.TaskScheduledId, e);
                    break;
                case HistoryEvent.EventTypeOneofCase.TaskFailed:
                    context.Complete(e.TaskFailed.TaskScheduledId, e);
                    break;
                case HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCompleted:
                    context.Complete(e.ChildWorkflowInstanceCompleted.TaskScheduledId, e);
                    break;
                case HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceFailed:
                    context.Complete(e.ChildWorkflowInstanceFailed.TaskScheduledId, e);
                    break;
                case HistoryEvent.EventTypeOneofCase.TimerFired:
                    context.Complete(e.TimerFired.TimerId, e);
                    break;
                case HistoryEvent.EventTypeOneofCase.EventRaised:
                    context.RaiseEvent(e);
                    break;
                case HistoryEvent.EventTypeOneofCase.ExecutionSuspended:
                    _suspended = true;
                    break;
                case HistoryEvent.EventTypeOneofCase.ExecutionResumed:
                    _suspended = false;
                    break;
                case HistoryEvent.EventTypeOneofCase.ExecutionTerminated:
                    _terminated = e;
                    break;
                default:
                    // ExecutionCompleted, ContinueAsNew, WorkflowCompleted, stalled markers: nothing to replay.
                    break;
            }
        }

        private void StartWorkflow(HistoryEvent e)
        {
            if (_workflowTask is not null)
            {
                return; // a duplicate start changes nothing
            }
            var started = e.ExecutionStarted;
            context.Start(started.Name, started.WorkflowInstance?.InstanceId is { Length: > 0 } id ? id : context.InstanceId,
                started.WorkflowInstance?.ExecutionId ?? "");
            if (context.CurrentTime == DateTime.UnixEpoch) context.CurrentTime = _lastTimestamp;
            var workflow = resolveWorkflow(started.Name) ?? throw new WorkflowTurnFailure(WorkflowTurnFailure.NotRegistered,
                $"No workflow named '{started.Name}' is registered with this worker. Registered workflows: " +
                $"{string.Join(", ", registeredNames ?? [])}. Register it with registry.AddWorkflow<T>().");
            object? input;
            try
            {
                input = DurableJson.Deserialize(started.Input, workflow.InputType);
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException)
            {
                throw new WorkflowTurnFailure(WorkflowTurnFailure.InvalidInput,
                    $"The input of workflow '{started.Name}' could not be read as {workflow.InputType.Name}: {ex.Message}");
            }
            try
            {
                _workflowTask = workflow.RunAsync(context, input);
            }
            catch (Exception ex)
            {
                _workflowTask = Task.FromException<object?>(ex);
            }
        }

        private WorkflowTurnResult CompleteFromWorkflowTask(Task<object?> workflowTask)
        {
            object? output;
            try
            {
                output = workflowTask.GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                return Fail(WorkflowTaskFailureDetails.FromException(ex));
            }
            if (context.ContinueAsNewRequest is { } next)
            {
                var continuation = NewCompletion(OrchestrationStatus.ContinuedAsNew, next.Input, failure: null);
                if (next.PreserveEvents)
                {
                    continuation.CompleteWorkflow.CarryoverEvents.AddRange(context.UnprocessedEvents());
                }
                return Result(continuation);
            }
            return Finish(OrchestrationStatus.Completed, DurableJson.Serialize(output), failure: null);
        }

        private WorkflowTurnResult Fail(WorkflowTaskFailureDetails failure)
        {
            context.TakeNewActions(); // a failed execution schedules nothing further
            return Finish(OrchestrationStatus.Failed, result: null, failure);
        }

        private WorkflowTurnResult Finish(OrchestrationStatus status, string? result, WorkflowTaskFailureDetails? failure)
        {
            if (status == OrchestrationStatus.Terminated) context.TakeNewActions();
            return Result(NewCompletion(status, result, failure));
        }

        private WorkflowTurnResult Result(WorkflowAction completion)
        {
            var actions = context.TakeNewActions();
            actions.Add(completion);
            return new WorkflowTurnResult(actions, context.CustomStatus, IsCompleted: true);
        }

        private WorkflowAction NewCompletion(OrchestrationStatus status, string? result, WorkflowTaskFailureDetails? failure)
        {
            var complete = new CompleteWorkflowAction { WorkflowStatus = status };
            if (result is not null) complete.Result = result;
            if (failure is not null) complete.FailureDetails = failure.ToProto();
            return new WorkflowAction { Id = context.NextSequence(), CompleteWorkflow = complete };
        }
    }
}
