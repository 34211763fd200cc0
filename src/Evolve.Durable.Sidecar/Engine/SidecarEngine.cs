using Evolve.Durable.Protocol;
using Evolve.Durable.Sidecar.Storage;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Sidecar.Engine;

/// <summary>
/// The sidecar's state machine. Live state sits in memory under one lock (operations on it are short
/// and never wait on I/O); every operation turns into a <see cref="ChangeSet"/> that is handed, still
/// under the lock, to the <see cref="GroupCommitWriter"/>, so the store sees changes in the order memory
/// did. Callers get a task that completes after the commit. Work items go out as soon as memory holds
/// them, before their commit: a turn is pure, and an activity runs at least once in any case (a crash
/// after its schedule commits re-runs it too), so one whose schedule a crash loses is simply scheduled
/// and run again on replay. What a worker answers is committed strictly after what it answered, and no
/// answer is acknowledged before its commit, so the store only ever holds consistent prefixes.
/// This file: state, commits, readiness. Other parts: Dispatch, Turns, Management.
/// </summary>
internal sealed partial class SidecarEngine : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, InstanceState> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<long, PendingActivity> _activities = [];
    private readonly Dictionary<long, StoredTimer> _timers = [];
    private readonly Dictionary<string, object> _tokens = new(StringComparer.Ordinal);
    private readonly Queue<DispatchItem> _backlog = new();
    private readonly List<WorkerConnection> _workers = [];
    private readonly ISidecarStore _store;
    private readonly GroupCommitWriter _writer;
    private readonly WakeupScheduler _wakeups;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SidecarOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    // Tokens from an earlier run of the sidecar must never match a dispatch of this run.
    private readonly string _bootId = Guid.NewGuid().ToString("N")[..8];
    private long _tokenSeq;
    private long _inboxSeq;
    private long _activitySeq;
    private long _timerSeq;
    private long _workerSeq;
    private long _deferSeq;
    private static readonly TimeSpan MaxDeferral = TimeSpan.FromMilliseconds(20);
    private Task _lastCommit = Task.CompletedTask;

    public SidecarEngine(ISidecarStore store, SidecarOptions options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _store = store;
        _options = options;
        _time = time;
        _logger = loggerFactory.CreateLogger<SidecarEngine>();
        _writer = new GroupCommitWriter(store, options.MaxChangesPerCommit, loggerFactory.CreateLogger<GroupCommitWriter>());
        lock (_lock)
            Restore(store.Load());
        _wakeups = new WakeupScheduler(time, OnWakeups, _logger);
        lock (_lock)
        {
            foreach (var timer in _timers.Values)
                _wakeups.Schedule(timer.FireAt, Wakeup.Timer(timer.Id));
            foreach (var state in _instances.Values)
                if (state.Record.ScheduledStartAt is { } at && state.History is { Count: 0 })
                    _wakeups.Schedule(at, Wakeup.Start(state.Id));
        }
    }

    /// <summary>Cancelled when the sidecar shuts down; ends work-item streams and long polls.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public long CommitCount => _writer.CommitCount;

    public SidecarOptions Options => _options;

    private DateTimeOffset Now => _time.GetUtcNow();

    public void BeginStop() => _stopping.Cancel();

    public async ValueTask DisposeAsync()
    {
        BeginStop();
        lock (_lock)
            foreach (var state in _instances.Values)
                FlushDeferred(state);
        await _wakeups.DisposeAsync().ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private void Restore(StoreSnapshot snapshot)
    {
        foreach (var record in snapshot.Instances)
        {
            var history = record.IsTerminal ? null : snapshot.History.GetValueOrDefault(record.InstanceId) ?? [];
            var state = new InstanceState(record, history);
            if (!record.IsTerminal && snapshot.Inbox.TryGetValue(record.InstanceId, out var inbox))
            {
                state.Inbox.AddRange(inbox);
                _inboxSeq = Math.Max(_inboxSeq, inbox[^1].Seq);
            }
            _instances[record.InstanceId] = state;
        }
        foreach (var state in _instances.Values)
            if (state.Record.Parent is { } parent && _instances.TryGetValue(parent.InstanceId, out var parentState))
                parentState.Children.Add(state.Id);
        foreach (var activity in snapshot.Activities)
        {
            _activitySeq = Math.Max(_activitySeq, activity.Id);
            if (!_instances.TryGetValue(activity.InstanceId, out var owner) || owner.Record.IsTerminal)
                continue;
            _activities[activity.Id] = new PendingActivity(activity);
            owner.Activities.Add(activity.Id);
            Dispatch(DispatchItem.Activity(activity.Id));
        }
        foreach (var timer in snapshot.Timers)
        {
            _timerSeq = Math.Max(_timerSeq, timer.Id);
            if (!_instances.TryGetValue(timer.InstanceId, out var owner) || owner.Record.IsTerminal)
                continue;
            _timers[timer.Id] = timer;
            owner.Timers.Add(timer.Id);
        }
        foreach (var state in _instances.Values)
            MakeReady(state);
        _logger.LogInformation("Sidecar store loaded: {Instances} instances, {Activities} pending activities, {Timers} timers",
            _instances.Count, _activities.Count, _timers.Count);
    }

    /// <summary>
    /// Hands the change set to the writer (call under the lock); the task completes after its commit.
    /// With <paramref name="callerCommits"/> the caller must call <see cref="CommitPendingInline"/> once it
    /// has released the lock.
    /// </summary>
    private Task Commit(ChangeSet changes, bool callerCommits = false)
    {
        if (changes.Changes.Count == 0 && changes.AfterCommit.Count == 0 && changes.Linked.Count == 0)
            return _lastCommit;
        var after = changes.AfterCommit.Count == 0 ? null : (Action)(() =>
        {
            lock (_lock)
                foreach (var action in changes.AfterCommit)
                    action();
        });
        try
        {
            _lastCommit = _writer.Enqueue(changes.Changes, after, wakeWriter: !callerCommits);
        }
        catch (StoreFailedException ex)
        {
            foreach (var linked in changes.Linked)
                linked.TrySetException(ex);
            throw new RpcException(new Status(StatusCode.Unavailable, ex.Message));
        }
        if (changes.Linked.Count > 0)
        {
            var acknowledgements = changes.Linked.ToArray();
            _lastCommit.ContinueWith(commit =>
            {
                foreach (var linked in acknowledgements)
                    if (commit.Exception is { } ex)
                        linked.TrySetException(ex.InnerExceptions);
                    else
                        linked.TrySetResult();
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        return _lastCommit;
    }

    /// <summary>
    /// Commits what is pending on the calling thread when the writer is idle (call without the lock: the
    /// after-commit actions take it). A step's answer is then made durable without waking another thread
    /// (the work it scheduled is already dispatched); the caller's await of its commit completes synchronously.
    /// </summary>
    private void CommitPendingInline() => _writer.CommitPendingInline();

    /// <summary>
    /// Holds an instance's changes back so they commit in the same transaction as the answer to its
    /// in-flight turn (one fsync per step instead of two). The caller's acknowledgement still waits
    /// for that commit. A deadline, the turn being lost, or the instance's pending work being dropped
    /// flushes them on their own; the merge happens first thing in the turn's commit, keeping order.
    /// </summary>
    private Task Defer(InstanceState state, ChangeSet changes)
    {
        if (state.Deferred is null)
        {
            state.Deferred = new DeferredCommit(++_deferSeq);
            _wakeups.Schedule(Now + MaxDeferral, Wakeup.Flush(state.Id, state.Deferred.Generation));
        }
        var deferred = state.Deferred.Changes;
        deferred.Changes.AddRange(changes.Changes);
        deferred.AfterCommit.AddRange(changes.AfterCommit);
        return state.Deferred.Done.Task;
    }

    /// <summary>Commits the instance's deferred changes now, ahead of anything enqueued after this call.</summary>
    private void FlushDeferred(InstanceState state)
    {
        if (state.Deferred is not { } deferred)
            return;
        state.Deferred = null;
        deferred.Changes.Linked.Add(deferred.Done);
        Commit(deferred.Changes);
    }

    /// <summary>Moves the instance's deferred changes to the front of a change set that is about to be built.</summary>
    private static void MergeDeferred(InstanceState state, ChangeSet changes)
    {
        if (state.Deferred is not { } deferred)
            return;
        state.Deferred = null;
        changes.Changes.InsertRange(0, deferred.Changes.Changes);
        changes.AfterCommit.InsertRange(0, deferred.Changes.AfterCommit);
        changes.Linked.Add(deferred.Done);
    }

    /// <summary>Awaits a commit, turning a store failure into a gRPC status the caller can act on.</summary>
    private static async Task AwaitCommit(Task commit)
    {
        try
        {
            await commit.ConfigureAwait(false);
        }
        catch (StoreFailedException ex)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, ex.Message));
        }
    }

    private bool IsReady(InstanceState state) =>
        state.History is not null
        && !state.Record.IsTerminal
        && state.Turn is null
        && state.Inbox.Count > 0
        && state.Record.Status is not (OrchestrationStatus.Suspended or OrchestrationStatus.Stalled)
        && !(state.History.Count == 0 && state.Record.ScheduledStartAt is { } start && start > Now);

    /// <summary>Queues a workflow turn for the instance if it has something to do and nothing in flight.</summary>
    private void MakeReady(InstanceState state)
    {
        if (state.Queued || !IsReady(state))
            return;
        state.Queued = true;
        Dispatch(DispatchItem.Workflow(state.Id));
    }

    private void AddToInbox(InstanceState state, HistoryEvent e, ChangeSet changes)
    {
        var entry = new InboxEntry(++_inboxSeq, e);
        state.Inbox.Add(entry);
        changes.Add(new StoreChange.AddInbox(state.Id, entry.Seq, e));
    }

    private static void AppendHistory(InstanceState state, HistoryEvent e, ChangeSet changes)
    {
        changes.Add(new StoreChange.AppendHistory(state.Id, state.History!.Count, e));
        state.Append(e);
    }

    /// <summary>Replaces the instance's record, persists it, and wakes anyone long-polling on its status.</summary>
    private void SetRecord(InstanceState state, InstanceRecord record, ChangeSet changes, bool fullRow = false)
    {
        var statusChanged = state.Record.Status != record.Status;
        state.Record = record with { UpdatedAt = Now };
        changes.Add(fullRow ? new StoreChange.PutInstance(state.Record) : new StoreChange.UpdateInstance(state.Record));
        // Long polls wait for a status; waking them on every step of a running instance would cost each
        // of them a thread hop per step for nothing.
        if (statusChanged)
            WakeWaiters(state);
    }

    private static void WakeWaiters(InstanceState state)
    {
        if (state.Waiters is not { } waiters)
            return;
        state.Waiters = null;
        foreach (var waiter in waiters)
            waiter.TrySetResult();
    }

    private string NewToken() => $"{_bootId}-{++_tokenSeq}";

    private static string NewId() => Guid.NewGuid().ToString("N");

    private void OnWakeups(IReadOnlyList<Wakeup> due)
    {
        lock (_lock)
        {
            var changes = new ChangeSet();
            foreach (var wakeup in due)
            {
                if (wakeup.Kind == WakeupKind.Start)
                {
                    if (_instances.TryGetValue(wakeup.InstanceId!, out var starting))
                        MakeReady(starting);
                    continue;
                }
                if (wakeup.Kind == WakeupKind.FlushDeferred)
                {
                    if (_instances.TryGetValue(wakeup.InstanceId!, out var holding) && holding.Deferred?.Generation == wakeup.Id)
                        FlushDeferred(holding);
                    continue;
                }
                if (!_timers.Remove(wakeup.Id, out var timer))
                    continue;
                changes.Add(new StoreChange.RemoveTimer(timer.Id));
                if (!_instances.TryGetValue(timer.InstanceId, out var state) || state.Record.IsTerminal
                    || state.Record.ExecutionId != timer.ExecutionId)
                    continue;
                state.Timers.Remove(timer.Id);
                AddToInbox(state, Events.TimerFired(Now, timer.TimerId, timer.FireAt), changes);
                MakeReady(state);
            }
            Commit(changes);
        }
    }
}
