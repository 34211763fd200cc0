using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Sidecar.Storage;

/// <summary>
/// The single writer of the store. Callers enqueue change sets (in the order their in-memory effects
/// happened); one dedicated thread drains everything pending into ONE transaction, commits, then
/// completes each caller's task and runs its after-commit action. One fsync thus acknowledges many
/// concurrent steps, and since batches commit in order, a crash leaves a prefix of the changes.
/// </summary>
public sealed class GroupCommitWriter : IAsyncDisposable
{
    private readonly ISidecarStore _store;
    private readonly ILogger _logger;
    private readonly int _maxChangesPerCommit;
    // A plain queue under a monitor: an enqueue wakes the writer thread directly (one futex wake), where a
    // channel would first hop through the thread pool to complete the task the writer blocks on.
    private readonly object _gate = new();
    private Queue<PendingCommit> _pending = new();
    private Queue<PendingCommit> _draining = new();
    private bool _completed;
    private readonly Thread _thread;
    private volatile Exception? _fault;

    public GroupCommitWriter(ISidecarStore store, int maxChangesPerCommit, ILogger logger)
    {
        _store = store;
        _maxChangesPerCommit = maxChangesPerCommit;
        _logger = logger;
        // A dedicated thread: SQLite calls are synchronous and the fsync must not block the thread pool.
        _thread = new Thread(Run) { IsBackground = true, Name = "evolve-sidecar-writer" };
        _thread.Start();
    }

    /// <summary>Number of transactions committed so far (for diagnostics and tests).</summary>
    public long CommitCount { get; private set; }

    /// <summary>
    /// Queues changes for the next transaction. The returned task completes after the commit (and after
    /// <paramref name="afterCommit"/> ran); it faults if the commit failed.
    /// </summary>
    public Task Enqueue(IReadOnlyList<StoreChange> changes, Action? afterCommit = null)
    {
        if (_fault is { } fault)
            throw new StoreFailedException(fault);
        var pending = new PendingCommit(changes, afterCommit);
        lock (_gate)
        {
            if (_completed)
                throw new ObjectDisposedException(nameof(GroupCommitWriter), "The sidecar store is shut down.");
            _pending.Enqueue(pending);
            if (_pending.Count == 1)
                Monitor.Pulse(_gate);
        }
        return pending.Done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.Pulse(_gate);
        }
        await Task.Run(() => _thread.Join()).ConfigureAwait(false);
    }

    private void Run()
    {
        var batch = new List<PendingCommit>();
        var changes = new List<StoreChange>();
        while (TakePending())
        {
            batch.Clear();
            changes.Clear();
            while (changes.Count < _maxChangesPerCommit && _draining.TryDequeue(out var next))
            {
                batch.Add(next);
                changes.AddRange(next.Changes);
            }
            if (batch.Count == 0)
                continue;
            try
            {
                if (_fault is not null)
                    throw new StoreFailedException(_fault);
                _store.Commit(changes);
                CommitCount++;
            }
            catch (Exception ex)
            {
                // The in-memory state is now ahead of the store; refuse further changes rather than diverge.
                _fault ??= ex;
                _logger.LogCritical(ex, "Sidecar store commit failed; the sidecar refuses further changes until restarted");
                foreach (var pending in batch)
                    pending.Done.TrySetException(new StoreFailedException(ex));
                continue;
            }
            foreach (var pending in batch)
            {
                try
                {
                    pending.AfterCommit?.Invoke();
                }
                catch (Exception ex)
                {
                    _logger.LogError(ex, "After-commit action failed");
                }
                pending.Done.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Blocks until changes are pending, then swaps them into <see cref="_draining"/> (leftovers of a
    /// batch capped by the change limit stay first); false once shut down with nothing left.
    /// </summary>
    private bool TakePending()
    {
        if (_draining.Count > 0)
            return true;
        lock (_gate)
        {
            while (_pending.Count == 0)
            {
                if (_completed)
                    return false;
                Monitor.Wait(_gate);
            }
            (_pending, _draining) = (_draining, _pending);
            return true;
        }
    }

    private sealed record PendingCommit(IReadOnlyList<StoreChange> Changes, Action? AfterCommit)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>Thrown once a commit has failed: the store can no longer be trusted to match memory.</summary>
public sealed class StoreFailedException(Exception inner)
    : Exception($"The sidecar store failed to commit ({inner.Message}); restart the sidecar to recover from the last commit.", inner);
