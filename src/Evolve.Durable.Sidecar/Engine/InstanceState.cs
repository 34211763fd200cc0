using System.Threading.Channels;
using Evolve.Durable.Protocol;
using Evolve.Durable.Sidecar.Storage;

namespace Evolve.Durable.Sidecar.Engine;

/// <summary>Live in-memory state of one instance; guarded by the engine's lock.</summary>
internal sealed class InstanceState(InstanceRecord record, List<HistoryEvent>? history)
{
    public InstanceRecord Record { get; set; } = record;

    private List<HistoryEvent>? _history = history;

    /// <summary>Current execution's history; null once a terminal instance's history lives only in the store.</summary>
    public List<HistoryEvent>? History
    {
        get => _history;
        set
        {
            _history = value;
            MaxEventId = MaxId(value);
        }
    }

    /// <summary>Highest event id in <see cref="History"/> (-1 if none): lets a turn's action ids be checked without a scan.</summary>
    public int MaxEventId { get; private set; } = MaxId(history);

    /// <summary>Appends to the current execution's history (which must be in memory).</summary>
    public void Append(HistoryEvent e)
    {
        _history!.Add(e);
        MaxEventId = Math.Max(MaxEventId, e.EventId);
    }

    private static int MaxId(List<HistoryEvent>? events)
    {
        var max = -1;
        if (events is not null)
            foreach (var e in events)
                max = Math.Max(max, e.EventId);
        return max;
    }

    /// <summary>Events the workflow has not seen yet, oldest first.</summary>
    public List<InboxEntry> Inbox { get; } = [];

    /// <summary>The workflow turn dispatched and not yet answered (at most one).</summary>
    public TurnInFlight? Turn { get; set; }

    /// <summary>True while a dispatch entry for this instance waits in the backlog.</summary>
    public bool Queued { get; set; }

    public HashSet<long> Activities { get; } = [];
    public HashSet<long> Timers { get; } = [];
    public HashSet<string> Children { get; } = new(StringComparer.Ordinal);

    /// <summary>Changes held back to ride along with the in-flight turn's commit (see SidecarEngine.Defer).</summary>
    public DeferredCommit? Deferred { get; set; }

    /// <summary>Long-polls waiting for this instance's state to change.</summary>
    public List<TaskCompletionSource>? Waiters { get; set; }

    public string Id => Record.InstanceId;
}

/// <summary>A dispatched workflow turn: what was sent, so its answer can be applied.</summary>
/// <param name="NewEvents">WorkflowStarted plus the inbox events sent as newEvents.</param>
/// <param name="InboxUpToSeq">Last inbox seq included; later arrivals wait for the next turn.</param>
/// <param name="PastCount">History length when the turn was dispatched.</param>
internal sealed record TurnInFlight(string Token, WorkerConnection Worker, List<HistoryEvent> NewEvents, long InboxUpToSeq, int PastCount);

/// <summary>A scheduled activity and, while dispatched, who holds it.</summary>
internal sealed class PendingActivity(StoredActivity stored)
{
    public StoredActivity Stored { get; } = stored;
    public string? Token { get; set; }
    public WorkerConnection? Worker { get; set; }
}

/// <summary>One open GetWorkItems stream.</summary>
internal sealed class WorkerConnection(long id, bool statefulHistory)
{
    public long Id { get; } = id;

    /// <summary>The worker advertised WORKER_CAPABILITY_STATEFUL_HISTORY: it keeps history between turns.</summary>
    public bool StatefulHistory { get; } = statefulHistory;

    public bool Closed { get; set; }

    /// <summary>Items assigned to this stream, waiting to be written to it.</summary>
    public Channel<WorkItem> Outbox { get; } = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Completion tokens of the items in flight on this stream.</summary>
    public HashSet<string> Tokens { get; } = new(StringComparer.Ordinal);

    /// <summary>Per instance: execution id and how many leading history events this worker already holds.</summary>
    public Dictionary<string, (string ExecutionId, int Count)> HistoryCache { get; } = new(StringComparer.Ordinal);
}

/// <summary>Something due for dispatch: a workflow turn (InstanceId set) or an activity (ActivityId).</summary>
internal readonly record struct DispatchItem(string? InstanceId, long ActivityId)
{
    public static DispatchItem Workflow(string instanceId) => new(instanceId, 0);
    public static DispatchItem Activity(long id) => new(null, id);
}

/// <summary>Store changes and follow-ups gathered by one operation, committed together.</summary>
internal sealed class ChangeSet
{
    public List<StoreChange> Changes { get; } = [];
    public List<Action> AfterCommit { get; } = [];

    /// <summary>Acknowledgements of deferred changes folded into this set; they complete with its commit.</summary>
    public List<TaskCompletionSource> Linked { get; } = [];
    public void Add(StoreChange change) => Changes.Add(change);
}

/// <summary>An instance's changes waiting to be committed together with its in-flight turn's answer.</summary>
internal sealed class DeferredCommit(long generation)
{
    public long Generation { get; } = generation;
    public ChangeSet Changes { get; } = new();
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
