using Microsoft.Extensions.Logging;

namespace Evolve.Durable;

/// <summary>
/// Everything workflow code may use to interact with the world. Each call that schedules work takes
/// the next sequence number and is matched against the history on replay, so the order of calls must
/// depend only on inputs and results, never on wall-clock time, randomness or I/O.
/// </summary>
public abstract class WorkflowContext
{
    public abstract string Name { get; }
    public abstract string InstanceId { get; }

    /// <summary>Replay-safe "now": the timestamp of the current turn.</summary>
    public abstract DateTime CurrentUtcDateTime { get; }

    /// <summary>True while the code re-executes past history (side effects such as logging should be skipped).</summary>
    public abstract bool IsReplaying { get; }

    public abstract Task<T> CallActivityAsync<T>(string name, object? input = null, WorkflowTaskOptions? options = null);

    public virtual Task CallActivityAsync(string name, object? input = null, WorkflowTaskOptions? options = null) =>
        CallActivityAsync<object?>(name, input, options);

    public abstract Task<T> CallChildWorkflowAsync<T>(string name, object? input = null, ChildWorkflowTaskOptions? options = null);

    public virtual Task CallChildWorkflowAsync(string name, object? input = null, ChildWorkflowTaskOptions? options = null) =>
        CallChildWorkflowAsync<object?>(name, input, options);

    public virtual Task CreateTimer(TimeSpan delay, CancellationToken cancellationToken = default) =>
        CreateTimer(CurrentUtcDateTime.Add(delay), cancellationToken);

    public abstract Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken = default);

    /// <summary>Waits for an event raised on this instance (names compare case-insensitively; events raised earlier are buffered).</summary>
    public abstract Task<T> WaitForExternalEventAsync<T>(string eventName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits for an event with a durable timeout; throws <see cref="TaskCanceledException"/> when the
    /// timeout expires first.
    /// </summary>
    public abstract Task<T> WaitForExternalEventAsync<T>(string eventName, TimeSpan timeout);

    /// <summary>Raises an event on another workflow instance.</summary>
    public abstract void SendEvent(string instanceId, string eventName, object? payload = null);

    /// <summary>Replaces the instance's custom status (serialized as JSON) when this turn ends.</summary>
    public abstract void SetCustomStatus(object? customStatus);

    /// <summary>
    /// Restarts the workflow with fresh history and <paramref name="newInput"/> once the code returns.
    /// External events not yet consumed are carried over when <paramref name="preserveUnprocessedEvents"/> is true.
    /// </summary>
    public abstract void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true);

    /// <summary>A GUID that is the same on every replay (name-based UUID from instance id, turn time and a counter).</summary>
    public abstract Guid NewGuid();

    /// <summary>A logger that stays silent while the code is replaying.</summary>
    public abstract ILogger CreateReplaySafeLogger(string categoryName);

    public ILogger CreateReplaySafeLogger<T>() => CreateReplaySafeLogger(typeof(T).FullName ?? typeof(T).Name);
}
