using Evolve.Durable.Protocol;

namespace Evolve.Durable.Sidecar.Storage;

/// <summary>Link from a child instance to the parent workflow that created it.</summary>
public sealed record ParentLink(string InstanceId, string? ExecutionId, int TaskScheduledId, string? Name);

/// <summary>
/// The metadata row of one instance. Immutable: a change produces a new record, so a record handed
/// to the writer thread never changes under it.
/// </summary>
public sealed record InstanceRecord(
    string InstanceId,
    string Name,
    string? Version,
    string ExecutionId,
    OrchestrationStatus Status,
    string? Input,
    string? Output,
    string? CustomStatus,
    TaskFailureDetails? Failure,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? ScheduledStartAt,
    ParentLink? Parent,
    IReadOnlyDictionary<string, string> Tags)
{
    public bool IsTerminal => Status.IsTerminal();
}

/// <summary>An event waiting in an instance's inbox (not yet seen by the workflow).</summary>
public sealed record InboxEntry(long Seq, HistoryEvent Event);

/// <summary>A scheduled activity not yet completed.</summary>
public sealed record StoredActivity(long Id, string InstanceId, string ExecutionId, ActivityRequest Request);

/// <summary>A durable timer not yet fired.</summary>
public sealed record StoredTimer(long Id, string InstanceId, string ExecutionId, int TimerId, DateTimeOffset FireAt);

/// <summary>Everything the engine needs to rebuild its in-memory state after a start.</summary>
/// <param name="History">Committed history of each non-terminal instance (terminal ones are read on demand).</param>
public sealed record StoreSnapshot(
    IReadOnlyList<InstanceRecord> Instances,
    IReadOnlyDictionary<string, List<HistoryEvent>> History,
    IReadOnlyDictionary<string, List<InboxEntry>> Inbox,
    IReadOnlyList<StoredActivity> Activities,
    IReadOnlyList<StoredTimer> Timers);

/// <summary>One row-level change; a commit applies a list of them in one transaction, in order.</summary>
public abstract record StoreChange
{
    /// <summary>Inserts the instance row, or replaces it entirely (continue-as-new).</summary>
    public sealed record PutInstance(InstanceRecord Record) : StoreChange;
    /// <summary>Updates the columns a workflow turn can change; leaves the (possibly large) input alone.</summary>
    public sealed record UpdateInstance(InstanceRecord Record) : StoreChange;
    /// <summary>Deletes the instance and everything it owns (history, inbox, activities, timers).</summary>
    public sealed record DeleteInstance(string InstanceId) : StoreChange;
    public sealed record AppendHistory(string InstanceId, int Seq, HistoryEvent Event) : StoreChange;
    public sealed record ClearHistory(string InstanceId) : StoreChange;
    public sealed record AddInbox(string InstanceId, long Seq, HistoryEvent Event) : StoreChange;
    /// <summary>Removes the inbox entries the workflow has now seen (seq ≤ UpToSeq).</summary>
    public sealed record RemoveInbox(string InstanceId, long UpToSeq) : StoreChange;
    public sealed record ClearInbox(string InstanceId) : StoreChange;
    public sealed record AddActivity(StoredActivity Activity) : StoreChange;
    public sealed record RemoveActivity(long Id) : StoreChange;
    public sealed record ClearActivities(string InstanceId) : StoreChange;
    public sealed record AddTimer(StoredTimer Timer) : StoreChange;
    public sealed record RemoveTimer(long Id) : StoreChange;
    public sealed record ClearTimers(string InstanceId) : StoreChange;
}

internal static class OrchestrationStatusExtensions
{
    public static bool IsTerminal(this OrchestrationStatus status) => status is
        OrchestrationStatus.Completed or OrchestrationStatus.Failed or
        OrchestrationStatus.Terminated or OrchestrationStatus.Canceled;
}
