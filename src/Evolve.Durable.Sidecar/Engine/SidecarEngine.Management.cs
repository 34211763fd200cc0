using Evolve.Durable.Protocol;
using Evolve.Durable.Sidecar.Storage;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Sidecar.Engine;

/// <summary>Management API: start, query, wait, raise, terminate, suspend, resume, purge, list, history.</summary>
internal sealed partial class SidecarEngine
{
    public async Task<string> StartAsync(CreateInstanceRequest request)
    {
        Task commit;
        string instanceId;
        lock (_lock)
        {
            instanceId = string.IsNullOrEmpty(request.InstanceId) ? NewId() : request.InstanceId;
            if (_instances.ContainsKey(instanceId))
                throw new RpcException(new Status(StatusCode.AlreadyExists,
                    $"A workflow instance with id '{instanceId}' already exists; pick another id, or purge the old instance first."));
            var changes = new ChangeSet();
            CreateInstance(instanceId, request.Name, request.Version, request.Input, request.ExecutionId,
                request.ScheduledStartTimestamp?.ToDateTimeOffset(), null, request.Tags, changes);
            commit = Commit(changes);
        }
        await AwaitCommit(commit).ConfigureAwait(false);
        return instanceId;
    }

    private void CreateInstance(string instanceId, string name, string? version, string? input, string? executionId,
        DateTimeOffset? scheduledStart, ParentLink? parent, IReadOnlyDictionary<string, string>? tags, ChangeSet changes)
    {
        var now = Now;
        var record = new InstanceRecord(instanceId, name, version, string.IsNullOrEmpty(executionId) ? NewId() : executionId,
            OrchestrationStatus.Pending, input, null, null, null, now, now, null, scheduledStart, parent,
            tags is null ? new Dictionary<string, string>() : new Dictionary<string, string>(tags));
        var state = new InstanceState(record, []);
        _instances[instanceId] = state;
        changes.Add(new StoreChange.PutInstance(record));
        AddToInbox(state, Events.ExecutionStarted(now, instanceId, record.ExecutionId, name, version, input,
            ParentInfo(parent), scheduledStart, tags), changes);
        if (scheduledStart is { } at && at > now)
            _wakeups.Schedule(at, Wakeup.Start(instanceId));
        MakeReady(state);
    }

    /// <summary>Committed state of the instance, or null when it does not exist.</summary>
    public async Task<WorkflowState?> GetAsync(string instanceId, bool includeInputsAndOutputs)
    {
        InstanceRecord record;
        Task barrier;
        lock (_lock)
        {
            if (!_instances.TryGetValue(instanceId, out var state))
                return null;
            record = state.Record;
            barrier = _lastCommit;
        }
        // Report only what is durable: wait for the commit that produced this record.
        await AwaitCommit(barrier).ConfigureAwait(false);
        return ToWorkflowState(record, includeInputsAndOutputs);
    }

    /// <summary>Long-polls until the instance's status satisfies <paramref name="reached"/>.</summary>
    public async Task<WorkflowState> WaitAsync(string instanceId, bool includeInputsAndOutputs,
        Func<OrchestrationStatus, bool> reached, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        while (true)
        {
            Task signal;
            lock (_lock)
            {
                if (!_instances.TryGetValue(instanceId, out var state))
                    throw NotFound(instanceId);
                if (reached(state.Record.Status))
                    signal = Task.CompletedTask;
                else
                {
                    var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    (state.Waiters ??= []).Add(waiter);
                    signal = waiter.Task;
                }
            }
            if (signal.IsCompleted)
                return await GetAsync(instanceId, includeInputsAndOutputs).ConfigureAwait(false) ?? throw NotFound(instanceId);
            await signal.WaitAsync(linked.Token).ConfigureAwait(false);
        }
    }

    public Task RaiseEventAsync(string instanceId, string name, string? input)
    {
        Task commit;
        lock (_lock)
        {
            var state = Find(instanceId);
            var changes = new ChangeSet();
            if (state.Record.IsTerminal)
                _logger.LogInformation("Event {EventName} for {InstanceId} dropped: the instance is {Status}", name, instanceId, state.Record.Status);
            else
            {
                AddToInbox(state, Events.EventRaised(Now, name, input), changes);
                MakeReady(state);
            }
            commit = Commit(changes);
        }
        return AwaitCommit(commit);
    }

    public Task TerminateAsync(string instanceId, string? output, bool recursive)
    {
        Task commit;
        lock (_lock)
        {
            var state = Find(instanceId);
            var changes = new ChangeSet();
            Terminate(state, output, recursive, changes);
            commit = Commit(changes);
        }
        return AwaitCommit(commit);
    }

    private void Terminate(InstanceState state, string? output, bool recursive, ChangeSet changes)
    {
        if (!state.Record.IsTerminal)
        {
            var now = Now;
            if (state.History is { Count: 0 })
            {
                // Never started: keep its ExecutionStarted so the history still says what was terminated.
                foreach (var entry in state.Inbox.Where(entry => entry.Event.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted))
                    AppendHistory(state, entry.Event, changes);
            }
            AppendHistory(state, Events.ExecutionTerminated(now, output, recursive), changes);
            AppendHistory(state, Events.ExecutionCompleted(now, Events.NoAction, OrchestrationStatus.Terminated, output, null), changes);
            EndExecution(state, state.Record with { Status = OrchestrationStatus.Terminated, Output = output }, changes);
        }
        if (!recursive)
            return;
        foreach (var childId in state.Children)
            if (_instances.TryGetValue(childId, out var child))
                Terminate(child, output, recursive: true, changes);
    }

    public Task SuspendAsync(string instanceId, string? reason)
    {
        Task commit;
        lock (_lock)
        {
            var state = Find(instanceId);
            if (state.Record.IsTerminal)
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"Instance '{instanceId}' is {state.Record.Status}; only running or pending instances can be suspended."));
            var changes = new ChangeSet();
            if (state.Record.Status != OrchestrationStatus.Suspended)
            {
                SetRecord(state, state.Record with { Status = OrchestrationStatus.Suspended }, changes);
                AddToInbox(state, Events.ExecutionSuspended(Now, reason), changes);
            }
            commit = Commit(changes);
        }
        return AwaitCommit(commit);
    }

    public Task ResumeAsync(string instanceId, string? reason)
    {
        Task commit;
        lock (_lock)
        {
            var state = Find(instanceId);
            var changes = new ChangeSet();
            if (state.Record.Status == OrchestrationStatus.Suspended)
            {
                var status = state.History is { Count: 0 } ? OrchestrationStatus.Pending : OrchestrationStatus.Running;
                SetRecord(state, state.Record with { Status = status }, changes);
                AddToInbox(state, Events.ExecutionResumed(Now, reason), changes);
                MakeReady(state);
            }
            commit = Commit(changes);
        }
        return AwaitCommit(commit);
    }

    /// <summary>Purges one instance; refuses a non-terminal one unless forced.</summary>
    public async Task<int> PurgeAsync(string instanceId, bool recursive, bool force)
    {
        Task commit;
        int count;
        lock (_lock)
        {
            var state = Find(instanceId);
            if (!force && !state.Record.IsTerminal)
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"Instance '{instanceId}' is {state.Record.Status}; only completed, failed or terminated instances can be purged. " +
                    "Terminate it first, or pass force to purge it anyway."));
            var changes = new ChangeSet();
            count = Purge(state, recursive, force, changes);
            commit = Commit(changes);
        }
        await AwaitCommit(commit).ConfigureAwait(false);
        return count;
    }

    /// <summary>Purges every instance matching the filter (created in the range, with one of the statuses).</summary>
    public async Task<int> PurgeAsync(PurgeInstanceFilter filter, bool recursive, bool force)
    {
        var from = filter.CreatedTimeFrom?.ToDateTimeOffset();
        var to = filter.CreatedTimeTo?.ToDateTimeOffset();
        var statuses = filter.RuntimeStatus.ToHashSet();
        Task commit;
        var count = 0;
        lock (_lock)
        {
            var changes = new ChangeSet();
            var matches = _instances.Values.Where(s =>
                (from is null || s.Record.CreatedAt >= from) && (to is null || s.Record.CreatedAt <= to)
                && (statuses.Count == 0 || statuses.Contains(s.Record.Status))
                && (force || s.Record.IsTerminal)).ToList();
            foreach (var state in matches)
                if (_instances.ContainsKey(state.Id))
                    count += Purge(state, recursive, force, changes);
            commit = Commit(changes);
        }
        await AwaitCommit(commit).ConfigureAwait(false);
        return count;
    }

    private int Purge(InstanceState state, bool recursive, bool force, ChangeSet changes)
    {
        var count = 0;
        if (recursive)
            foreach (var childId in state.Children.ToList())
                if (_instances.TryGetValue(childId, out var child) && (force || child.Record.IsTerminal))
                    count += Purge(child, recursive, force, changes);
        DropPendingWork(state, changes);
        _instances.Remove(state.Id);
        if (state.Record.Parent is { } link && _instances.TryGetValue(link.InstanceId, out var parent))
            parent.Children.Remove(state.Id);
        changes.Add(new StoreChange.DeleteInstance(state.Id));
        WakeWaiters(state);
        return count + 1;
    }

    public async Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId)
    {
        List<HistoryEvent>? history;
        Task barrier;
        lock (_lock)
        {
            history = Find(instanceId).History?.ToList();
            barrier = _lastCommit;
        }
        await AwaitCommit(barrier).ConfigureAwait(false);
        return history ?? await Task.Run(() => _store.ReadHistory(instanceId)).ConfigureAwait(false);
    }

    /// <summary>One page of instance ids in ordinal order; the continuation token is the last id returned.</summary>
    public async Task<(List<string> Ids, string? ContinuationToken)> ListInstanceIdsAsync(string? after, int pageSize)
    {
        List<string> page;
        bool more;
        Task barrier;
        lock (_lock)
        {
            var ids = _instances.Keys.Where(id => after is null || string.CompareOrdinal(id, after) > 0).ToList();
            ids.Sort(StringComparer.Ordinal);
            page = ids.Take(pageSize).ToList();
            more = ids.Count > pageSize;
            barrier = _lastCommit;
        }
        await AwaitCommit(barrier).ConfigureAwait(false);
        return (page, more ? page[^1] : null);
    }

    private InstanceState Find(string instanceId) =>
        _instances.TryGetValue(instanceId, out var state) ? state : throw NotFound(instanceId);

    private static RpcException NotFound(string instanceId) => new(new Status(StatusCode.NotFound,
        $"No workflow instance with id '{instanceId}' exists (never started, or purged)."));

    private static WorkflowState ToWorkflowState(InstanceRecord record, bool includeInputsAndOutputs)
    {
        var state = new WorkflowState
        {
            InstanceId = record.InstanceId,
            Name = record.Name,
            Version = record.Version,
            WorkflowStatus = record.Status,
            CreatedTimestamp = Timestamp.FromDateTimeOffset(record.CreatedAt),
            LastUpdatedTimestamp = Timestamp.FromDateTimeOffset(record.UpdatedAt),
            CustomStatus = record.CustomStatus,
            FailureDetails = record.Failure,
            ExecutionId = record.ExecutionId,
            ParentInstanceId = record.Parent?.InstanceId,
        };
        if (record.ScheduledStartAt is { } scheduled)
            state.ScheduledStartTimestamp = Timestamp.FromDateTimeOffset(scheduled);
        if (record.CompletedAt is { } completed)
            state.CompletedTimestamp = Timestamp.FromDateTimeOffset(completed);
        if (includeInputsAndOutputs)
        {
            state.Input = record.Input;
            state.Output = record.Output;
        }
        foreach (var (key, value) in record.Tags)
            state.Tags[key] = value;
        return state;
    }
}
