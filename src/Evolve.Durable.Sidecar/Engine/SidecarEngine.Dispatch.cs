using System.Threading.Channels;
using Evolve.Durable.Protocol;
using Grpc.Core;

namespace Evolve.Durable.Sidecar.Engine;

/// <summary>Dispatch: worker streams take items from the ready queue; items of a closed stream go back.</summary>
internal sealed partial class SidecarEngine
{
    /// <summary>Registers a GetWorkItems stream.</summary>
    public WorkerConnection Connect(IEnumerable<WorkerCapability> capabilities)
    {
        lock (_lock)
            return new WorkerConnection(++_workerSeq, capabilities.Contains(WorkerCapability.StatefulHistory));
    }

    /// <summary>
    /// Streams items to one worker until it disconnects. Each idle stream waits for exactly one item
    /// (ReadAsync serves blocked readers first in, first out) and rejoins the back of the line after
    /// sending it, so items spread round-robin over the connected workers instead of all going to
    /// whichever stream happens to wake first.
    /// </summary>
    public async Task StreamWorkItemsAsync(WorkerConnection worker, Func<WorkItem, Task> send, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        try
        {
            var reader = _ready.Reader;
            while (true)
            {
                DispatchItem item;
                try
                {
                    item = await reader.ReadAsync(linked.Token).ConfigureAwait(false);
                }
                catch (ChannelClosedException)
                {
                    break;
                }
                var workItem = Take(item, worker);
                if (workItem is not null)
                    await send(workItem).ConfigureAwait(false);
                linked.Token.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            Disconnect(worker);
        }
    }

    /// <summary>Turns a ready-queue entry into a work item for this worker, or null when it is no longer due.</summary>
    private WorkItem? Take(DispatchItem item, WorkerConnection worker)
    {
        lock (_lock)
        {
            if (worker.Closed)
            {
                Requeue(item);
                return null;
            }
            return item.InstanceId is { } instanceId ? TakeTurn(instanceId, worker) : TakeActivity(item.ActivityId, worker);
        }
    }

    private void Requeue(DispatchItem item)
    {
        if (item.InstanceId is { } instanceId)
        {
            if (_instances.TryGetValue(instanceId, out var state))
            {
                state.Queued = false;
                MakeReady(state);
            }
        }
        else
        {
            _ready.Writer.TryWrite(item);
        }
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

    /// <summary>The stream closed (worker stopped or died): everything it held goes back to the queue.</summary>
    private void Disconnect(WorkerConnection worker)
    {
        lock (_lock)
        {
            worker.Closed = true;
            foreach (var token in worker.Tokens)
            {
                if (!_tokens.Remove(token, out var holder))
                    continue;
                switch (holder)
                {
                    case InstanceState state:
                        state.Turn = null;
                        MakeReady(state);
                        break;
                    case PendingActivity activity:
                        activity.Token = null;
                        activity.Worker = null;
                        _ready.Writer.TryWrite(DispatchItem.Activity(activity.Stored.Id));
                        break;
                }
            }
            worker.Tokens.Clear();
            worker.HistoryCache.Clear();
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
