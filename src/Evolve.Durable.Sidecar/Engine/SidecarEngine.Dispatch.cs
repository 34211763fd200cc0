using System.Threading.Channels;
using Evolve.Durable.Protocol;
using Grpc.Core;

namespace Evolve.Durable.Sidecar.Engine;

/// <summary>
/// Dispatch: each item that becomes due is assigned at once to the open stream with the fewest items
/// in flight (so busy or slow workers get fewer, idle ones more); with no stream open it waits in the
/// backlog. A stream that closes hands everything it held back for reassignment.
/// </summary>
internal sealed partial class SidecarEngine
{
    private int _nextWorker;

    /// <summary>Registers a GetWorkItems stream and hands it the backlog.</summary>
    public WorkerConnection Connect(IEnumerable<WorkerCapability> capabilities)
    {
        lock (_lock)
        {
            var worker = new WorkerConnection(++_workerSeq, capabilities.Contains(WorkerCapability.StatefulHistory));
            _workers.Add(worker);
            var waiting = _backlog.Count;
            for (var i = 0; i < waiting; i++)
                Dispatch(_backlog.Dequeue());
            return worker;
        }
    }

    /// <summary>
    /// Writes the worker's assigned items to its stream until the stream or the sidecar stops. The send
    /// callback's flag says whether to flush: items queued together (e.g. the activities one commit
    /// released) go out in one network write instead of one each.
    /// </summary>
    public async Task StreamWorkItemsAsync(WorkerConnection worker, Func<WorkItem, bool, Task> send, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        try
        {
            var outbox = worker.Outbox.Reader;
            while (await outbox.WaitToReadAsync(linked.Token).ConfigureAwait(false))
                while (outbox.TryRead(out var item))
                    await send(item, !outbox.TryPeek(out _)).ConfigureAwait(false);
        }
        finally
        {
            Disconnect(worker);
        }
    }

    /// <summary>Assigns a due item to the least-loaded open stream (call under the lock).</summary>
    private void Dispatch(DispatchItem item)
    {
        if (_workers.Count == 0)
        {
            _backlog.Enqueue(item);
            return;
        }
        var worker = LeastLoadedWorker();
        var workItem = item.InstanceId is { } instanceId ? TakeTurn(instanceId, worker) : TakeActivity(item.ActivityId, worker);
        if (workItem is not null)
            worker.Outbox.Writer.TryWrite(workItem);
    }

    private WorkerConnection LeastLoadedWorker()
    {
        // Start the scan at a rotating position so ties spread round-robin.
        _nextWorker = (_nextWorker + 1) % _workers.Count;
        var best = _workers[_nextWorker];
        for (var i = 1; i < _workers.Count; i++)
        {
            var candidate = _workers[(_nextWorker + i) % _workers.Count];
            if (candidate.Tokens.Count < best.Tokens.Count)
                best = candidate;
        }
        return best;
    }

    private WorkItem? TakeTurn(string instanceId, WorkerConnection worker)
    {
        if (!_instances.TryGetValue(instanceId, out var state))
            return null;
        state.Queued = false;
        if (!IsReady(state))
            return null;
        var history = state.History!;
        var newEvents = new List<HistoryEvent>(state.Inbox.Count + 1) { Events.WorkflowStarted(Now) };
        foreach (var entry in state.Inbox)
            newEvents.Add(entry.Event);
        var request = new WorkflowRequest { InstanceId = state.Id, ExecutionId = state.Record.ExecutionId };
        if (worker.StatefulHistory && worker.HistoryCache.TryGetValue(state.Id, out var cached)
            && cached.ExecutionId == state.Record.ExecutionId && cached.Count <= history.Count)
        {
            // The worker already holds the first Count events (history only grows within an execution).
            request.CachedHistory = new CachedHistory { EventCount = cached.Count };
            for (var i = cached.Count; i < history.Count; i++)
                request.PastEvents.Add(history[i]);
        }
        else
        {
            request.PastEvents.AddRange(history);
        }
        request.NewEvents.AddRange(newEvents);
        var token = NewToken();
        state.Turn = new TurnInFlight(token, worker, newEvents, state.Inbox[^1].Seq, history.Count);
        _tokens[token] = state;
        worker.Tokens.Add(token);
        return new WorkItem { WorkflowRequest = request, CompletionToken = token };
    }

    private WorkItem? TakeActivity(long activityId, WorkerConnection worker)
    {
        if (!_activities.TryGetValue(activityId, out var activity) || activity.Token is not null)
            return null;
        var token = NewToken();
        activity.Token = token;
        activity.Worker = worker;
        _tokens[token] = activity;
        worker.Tokens.Add(token);
        return new WorkItem { ActivityRequest = activity.Stored.Request, CompletionToken = token };
    }

    /// <summary>The stream closed (worker stopped or died): everything it held is reassigned. Idempotent.</summary>
    public void Disconnect(WorkerConnection worker)
    {
        lock (_lock)
        {
            if (worker.Closed)
                return;
            worker.Closed = true;
            _workers.Remove(worker);
            worker.Outbox.Writer.TryComplete();
            var held = worker.Tokens.ToList();
            worker.Tokens.Clear();
            worker.HistoryCache.Clear();
            foreach (var token in held)
            {
                if (!_tokens.Remove(token, out var holder))
                    continue;
                switch (holder)
                {
                    case InstanceState state:
                        state.Turn = null;
                        FlushDeferred(state);
                        MakeReady(state);
                        break;
                    case PendingActivity activity:
                        activity.Token = null;
                        activity.Worker = null;
                        Dispatch(DispatchItem.Activity(activity.Stored.Id));
                        break;
                }
            }
        }
    }

    /// <summary>Forgets a dispatch so its token turns stale (the work it stood for was dropped).</summary>
    private void RevokeToken(string? token, WorkerConnection? worker)
    {
        if (token is null)
            return;
        _tokens.Remove(token);
        worker?.Tokens.Remove(token);
    }

    private static RpcException StaleToken(string token, string kind) => new(new Status(StatusCode.NotFound,
        $"No {kind} work item is in flight with completion token '{token}': it was already completed, re-dispatched " +
        "after its stream closed, dropped because the instance ended, or issued by an earlier run of the sidecar. " +
        "Nothing was changed; carry on with other work items."));
}
