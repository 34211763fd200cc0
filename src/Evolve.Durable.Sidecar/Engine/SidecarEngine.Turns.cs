using Evolve.Durable.Protocol;
using Evolve.Durable.Sidecar.Storage;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Sidecar.Engine;

/// <summary>Completions: a workflow turn's actions and an activity's result become history, inbox and queue rows.</summary>
internal sealed partial class SidecarEngine
{
    public Task CompleteWorkflowTurnAsync(WorkflowResponse response)
    {
        Task commit;
        var commitHere = false;
        try
        {
            lock (_lock)
            {
                if (!_tokens.TryGetValue(response.CompletionToken, out var holder) || holder is not InstanceState state
                    || state.Turn?.Token != response.CompletionToken)
                    throw StaleToken(response.CompletionToken, "workflow");
                if (!string.IsNullOrEmpty(response.InstanceId) && response.InstanceId != state.Id)
                    throw new RpcException(new Status(StatusCode.InvalidArgument,
                        $"WorkflowResponse.instanceId is '{response.InstanceId}' but completion token '{response.CompletionToken}' " +
                        $"belongs to instance '{state.Id}'; answer with the instance id of the work item."));
                var turn = state.Turn;
                state.Turn = null;
                RevokeToken(turn.Token, turn.Worker);
                // With nothing else in flight no other answer could join this commit, so committing on this
                // thread loses no batching and saves the writer thread's wake. Otherwise the writer thread
                // gathers the answers arriving meanwhile into one transaction.
                commitHere = _tokens.Count == 0;
                var changes = new ChangeSet();
                ApplyTurn(state, turn, response, changes);
                commit = Commit(changes, callerCommits: commitHere);
            }
        }
        finally
        {
            if (commitHere)
                CommitPendingInline();
        }
        return AwaitCommit(commit);
    }

    public Task CompleteActivityAsync(ActivityResponse response)
    {
        Task commit;
        lock (_lock)
        {
            if (!_tokens.TryGetValue(response.CompletionToken, out var holder) || holder is not PendingActivity activity)
                throw StaleToken(response.CompletionToken, "activity");
            var stored = activity.Stored;
            if (!string.IsNullOrEmpty(response.InstanceId) && response.InstanceId != stored.InstanceId)
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"ActivityResponse.instanceId is '{response.InstanceId}' but completion token '{response.CompletionToken}' " +
                    $"belongs to an activity of instance '{stored.InstanceId}'; answer with the ids of the work item."));
            if (response.TaskId != stored.Request.TaskId)
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"ActivityResponse.taskId is {response.TaskId} but completion token '{response.CompletionToken}' " +
                    $"belongs to task {stored.Request.TaskId}; answer with the taskId of the work item."));
            RevokeToken(activity.Token, activity.Worker);
            _activities.Remove(stored.Id);
            var changes = new ChangeSet();
            changes.Add(new StoreChange.RemoveActivity(stored.Id));
            var defer = false;
            if (_instances.TryGetValue(stored.InstanceId, out var state) && !state.Record.IsTerminal
                && state.Record.ExecutionId == stored.ExecutionId)
            {
                state.Activities.Remove(stored.Id);
                var request = stored.Request;
                var e = response.FailureDetails is { } failure
                    ? Events.TaskFailed(Now, request.TaskId, request.TaskExecutionId, failure)
                    : Events.TaskCompleted(Now, request.TaskId, request.TaskExecutionId, response.Result);
                AddToInbox(state, e, changes);
                MakeReady(state);
                // A turn is now in flight for this instance: its answer will carry this result to disk.
                defer = state.Turn is not null;
            }
            commit = defer ? Defer(state!, changes) : Commit(changes);
        }
        return AwaitCommit(commit);
    }

    private void ApplyTurn(InstanceState state, TurnInFlight turn, WorkflowResponse response, ChangeSet changes)
    {
        MergeDeferred(state, changes);
        var now = Now;
        var outcome = WorkflowTurnApplier.Apply(state.Record, state.History!, state.MaxEventId, response, now, NewId);

        foreach (var e in turn.NewEvents)
            AppendHistory(state, e, changes);
        var seen = state.Inbox.FindLastIndex(entry => entry.Seq <= turn.InboxUpToSeq) + 1;
        state.Inbox.RemoveRange(0, seen);
        RemoveSeenInboxRows(state.Id, seen, turn.InboxUpToSeq, changes);

        var record = state.Record;
        if (record.Status == OrchestrationStatus.Pending)
            record = record with { Status = OrchestrationStatus.Running };
        if (response.CustomStatus is not null)
            record = record with { CustomStatus = response.CustomStatus };

        if (outcome.Rejection is { } rejection)
        {
            _logger.LogWarning("Workflow instance {InstanceId} failed: {Reason}", state.Id, rejection.ErrorMessage);
            AppendHistory(state, Events.ExecutionCompleted(now, Events.NoAction, OrchestrationStatus.Failed, null, rejection), changes);
            EndExecution(state, record with { Status = OrchestrationStatus.Failed, Failure = rejection }, changes);
            return;
        }

        foreach (var e in outcome.Events)
            AppendHistory(state, e, changes);
        foreach (var (taskId, action) in outcome.Activities)
            ScheduleActivity(state, taskId, action, changes);
        foreach (var (timerId, fireAt) in outcome.Timers)
            ScheduleTimer(state, timerId, fireAt, changes);
        foreach (var (taskId, childId, action) in outcome.Children)
            StartChild(state, taskId, childId, action, changes);
        foreach (var (instanceId, action) in outcome.Detached)
            StartDetached(instanceId, action, changes);
        foreach (var (target, name, data) in outcome.SentEvents)
            DeliverEvent(target, name, data, changes);
        foreach (var terminate in outcome.Terminations)
            if (terminate.InstanceId != state.Id && _instances.TryGetValue(terminate.InstanceId, out var target))
                Terminate(target, terminate.Reason, terminate.Recurse, changes);

        if (outcome.Completion is { WorkflowStatus: OrchestrationStatus.ContinuedAsNew } continued)
        {
            ContinueAsNew(state, record, continued, changes);
        }
        else if (outcome.Completion is { } completion)
        {
            EndExecution(state, record with
            {
                Status = completion.WorkflowStatus, Output = completion.Result, Failure = completion.FailureDetails,
            }, changes);
        }
        else
        {
            if (outcome.Stalled)
                record = record with { Status = OrchestrationStatus.Stalled };
            SetRecord(state, record, changes);
            if (turn.Worker.StatefulHistory && !turn.Worker.Closed)
                turn.Worker.HistoryCache[state.Id] = (record.ExecutionId, turn.PastCount + turn.NewEvents.Count);
            MakeReady(state);
        }
    }

    /// <summary>
    /// Persists that the turn consumed its inbox entries. Entries whose insert rides in this same change
    /// set (an activity result merged from the deferred commit) are simply not written; a delete is needed
    /// only for rows an earlier commit stored. A sequential step thus writes no inbox row at all.
    /// </summary>
    private static void RemoveSeenInboxRows(string instanceId, int seen, long upToSeq, ChangeSet changes)
    {
        var dropped = changes.Changes.RemoveAll(change =>
            change is StoreChange.AddInbox add && add.InstanceId == instanceId && add.Seq <= upToSeq);
        if (dropped < seen)
            changes.Add(new StoreChange.RemoveInbox(instanceId, upToSeq));
    }

    private void ScheduleActivity(InstanceState state, int taskId, ScheduleTaskAction action, ChangeSet changes)
    {
        var request = new ActivityRequest
        {
            Name = action.Name,
            Version = action.Version,
            Input = action.Input,
            WorkflowInstance = new WorkflowInstance { InstanceId = state.Id, ExecutionId = state.Record.ExecutionId },
            TaskId = taskId,
            TaskExecutionId = action.TaskExecutionId,
        };
        var stored = new StoredActivity(++_activitySeq, state.Id, state.Record.ExecutionId, request);
        _activities[stored.Id] = new PendingActivity(stored);
        state.Activities.Add(stored.Id);
        changes.Add(new StoreChange.AddActivity(stored));
        // Out before the schedule commits: the activity then runs during the fsync instead of after it
        // (see the class summary for why a crash in between only means one more at-least-once run).
        Dispatch(DispatchItem.Activity(stored.Id));
    }

    private void ScheduleTimer(InstanceState state, int timerId, DateTimeOffset fireAt, ChangeSet changes)
    {
        var timer = new StoredTimer(++_timerSeq, state.Id, state.Record.ExecutionId, timerId, fireAt);
        _timers[timer.Id] = timer;
        state.Timers.Add(timer.Id);
        changes.Add(new StoreChange.AddTimer(timer));
        _wakeups.Schedule(fireAt, Wakeup.Timer(timer.Id));
    }

    private void StartChild(InstanceState parent, int taskId, string childId, CreateChildWorkflowAction action, ChangeSet changes)
    {
        if (_instances.ContainsKey(childId))
        {
            AddToInbox(parent, Events.ChildFailed(Now, taskId, Events.Failure("WorkflowInstanceAlreadyExists",
                $"Cannot start child workflow '{action.Name}' with instance id '{childId}': an instance with that id already exists. " +
                "Use a unique child instance id or purge the old instance.")), changes);
            MakeReady(parent);
            return;
        }
        var link = new ParentLink(parent.Id, parent.Record.ExecutionId, taskId, parent.Record.Name);
        CreateInstance(childId, action.Name, action.Version, action.Input, null, null, link, null, changes);
        parent.Children.Add(childId);
    }

    private void StartDetached(string instanceId, CreateDetachedWorkflowAction action, ChangeSet changes)
    {
        if (_instances.ContainsKey(instanceId))
        {
            _logger.LogWarning("Detached workflow {InstanceId} not started: an instance with that id exists", instanceId);
            return;
        }
        CreateInstance(instanceId, action.Name, action.Version, action.Input, action.ExecutionId,
            action.ScheduledStartTimestamp?.ToDateTimeOffset(), null, action.Tags, changes);
    }

    private void DeliverEvent(string targetId, string name, string? data, ChangeSet changes)
    {
        if (!_instances.TryGetValue(targetId, out var target) || target.Record.IsTerminal)
        {
            _logger.LogInformation("Event {EventName} for instance {InstanceId} dropped: no running instance with that id", name, targetId);
            return;
        }
        AddToInbox(target, Events.EventRaised(Now, name, data), changes);
        MakeReady(target);
    }

    /// <summary>Starts a fresh execution: history cleared, input = result, carried-over and waiting events kept.</summary>
    private void ContinueAsNew(InstanceState state, InstanceRecord record, CompleteWorkflowAction action, ChangeSet changes)
    {
        var waiting = state.Inbox.Select(entry => entry.Event).ToList();
        DropPendingWork(state, changes);
        state.History = [];
        changes.Add(new StoreChange.ClearHistory(state.Id));
        var executionId = NewId();
        var version = action.NewVersion ?? record.Version;
        SetRecord(state, record with
        {
            ExecutionId = executionId, Input = action.Result, Output = null, Failure = null, Version = version,
            Status = OrchestrationStatus.Running,
        }, changes, fullRow: true);
        AddToInbox(state, Events.ExecutionStarted(Now, state.Id, executionId, record.Name, version, action.Result,
            ParentInfo(record.Parent), null, record.Tags), changes);
        foreach (var e in action.CarryoverEvents)
            AddToInbox(state, e, changes);
        foreach (var e in waiting)
            AddToInbox(state, e, changes);
        MakeReady(state);
    }

    /// <summary>The execution reached a terminal status: drop pending work, tell the parent, free memory after commit.</summary>
    private void EndExecution(InstanceState state, InstanceRecord record, ChangeSet changes)
    {
        SetRecord(state, record with { CompletedAt = Now }, changes);
        DropPendingWork(state, changes);
        NotifyParent(state, changes);
        changes.AfterCommit.Add(() =>
        {
            if (state.Record.IsTerminal)
                state.History = null; // served from the store from now on
        });
    }

    /// <summary>Removes the instance's queued activities, timers, inbox and in-flight turn.</summary>
    private void DropPendingWork(InstanceState state, ChangeSet changes)
    {
        // Deferred changes must reach the store before the ones that clear this instance's rows.
        FlushDeferred(state);
        foreach (var id in state.Activities)
            if (_activities.Remove(id, out var activity))
                RevokeToken(activity.Token, activity.Worker);
        foreach (var id in state.Timers)
            _timers.Remove(id);
        if (state.Turn is { } turn)
            RevokeToken(turn.Token, turn.Worker);
        state.Turn = null;
        if (state.Activities.Count > 0)
            changes.Add(new StoreChange.ClearActivities(state.Id));
        if (state.Timers.Count > 0)
            changes.Add(new StoreChange.ClearTimers(state.Id));
        if (state.Inbox.Count > 0)
            changes.Add(new StoreChange.ClearInbox(state.Id));
        state.Activities.Clear();
        state.Timers.Clear();
        state.Inbox.Clear();
    }

    private void NotifyParent(InstanceState child, ChangeSet changes)
    {
        var link = child.Record.Parent;
        if (link is null || !_instances.TryGetValue(link.InstanceId, out var parent) || parent.Record.IsTerminal
            || (link.ExecutionId is not null && link.ExecutionId != parent.Record.ExecutionId))
            return;
        var record = child.Record;
        var e = record.Status == OrchestrationStatus.Completed
            ? Events.ChildCompleted(Now, link.TaskScheduledId, record.Output)
            : Events.ChildFailed(Now, link.TaskScheduledId, record.Failure ?? Events.Failure(
                $"Workflow{record.Status}", $"Child workflow '{record.Name}' ({record.InstanceId}) ended with status {record.Status}: {record.Output}"));
        AddToInbox(parent, e, changes);
        MakeReady(parent);
    }

    private static ParentInstanceInfo? ParentInfo(ParentLink? link) => link is null ? null : new ParentInstanceInfo
    {
        TaskScheduledId = link.TaskScheduledId,
        Name = link.Name,
        WorkflowInstance = new WorkflowInstance { InstanceId = link.InstanceId, ExecutionId = link.ExecutionId },
    };
}
