namespace Evolve.Durable.Replay;

/// <summary>
/// Runs every continuation of workflow code on the executor's own thread, in the order they were
/// queued, so replay is deterministic. A continuation posted from any other thread means the code
/// awaited something that is not durable (Task.Delay, Task.Run, I/O); it is dropped and recorded.
/// </summary>
internal sealed class WorkflowSynchronizationContext : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _queue = new();
    private readonly int _ownerThreadId = Environment.CurrentManagedThreadId;
    private volatile bool _closed;
    private volatile bool _foreignPost;

    /// <summary>True when some continuation arrived from a thread other than the executor's.</summary>
    public bool SawForeignPost => _foreignPost;

    public override void Post(SendOrPostCallback d, object? state)
    {
        if (_closed)
        {
            return; // a leftover continuation of a turn that already ended; nobody may run it
        }
        if (Environment.CurrentManagedThreadId != _ownerThreadId)
        {
            _foreignPost = true;
            return;
        }
        _queue.Enqueue((d, state));
    }

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Workflow code must not block synchronously; await durable tasks from the WorkflowContext instead.");

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Runs queued continuations (and whatever they queue) until none is left.</summary>
    public void Drain()
    {
        while (_queue.TryDequeue(out var item))
        {
            item.Callback(item.State);
        }
    }

    public void Close() => _closed = true;
}
