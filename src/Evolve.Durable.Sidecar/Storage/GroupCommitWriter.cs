using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Sidecar.Storage;

/// <summary>
/// The single writer of the store. Callers enqueue change sets (in the order their in-memory effects
/// happened); one committer at a time drains everything pending into ONE transaction, commits, then
/// completes each caller's task and runs its after-commit action. One fsync thus acknowledges many
/// concurrent steps, and since batches commit in order, a crash leaves a prefix of the changes.
/// The committer is normally a dedicated thread; a caller on the hot path may instead commit on its
/// own thread when no commit is in progress (<see cref="CommitPendingInline"/>), which saves waking
/// the writer thread and, after the commit, waking another thread to acknowledge the caller.
/// </summary>
public sealed class GroupCommitWriter : IAsyncDisposable
{
    private readonly ISidecarStore _store;
    private readonly ILogger _logger;
    private readonly int _maxChangesPerCommit;
    // A plain queue under a monitor: an enqueue wakes the writer thread directly (one futex wake), where a
    // channel would first hop through the thread pool to complete the task the writer blocks on.
    private readonly object _gate = new();
    private readonly Queue<PendingCommit> _pending = new();
    private bool _committing;
    private bool _completed;
    private readonly Thread _thread;
    private volatile Exception? _fault;
    private long _commitCount;

    public GroupCommitWriter(ISidecarStore store, int maxChangesPerCommit, ILogger logger)
    {
        _store = store;
        _maxChangesPerCommit = maxChangesPerCommit;
        _logger = logger;
        // A dedicated thread: SQLite calls are synchronous and a stream of fsyncs must not hold thread-pool threads.
        _thread = new Thread(Run) { IsBackground = true, Name = "evolve-sidecar-writer" };
        _thread.Start();
    }

    /// <summary>Number of transactions committed so far (for diagnostics and tests).</summary>
    public long CommitCount => Interlocked.Read(ref _commitCount);

    /// <summary>
    /// Queues changes for the next transaction. The returned task completes after the commit (and after
    /// <paramref name="afterCommit"/> ran); it faults if the commit failed. With <paramref name="wakeWriter"/>
    /// false the caller promises to call <see cref="CommitPendingInline"/> next (outside any lock that an
    /// after-commit action takes), which commits them or hands them to the writer thread.
    /// </summary>
    public Task Enqueue(IReadOnlyList<StoreChange> changes, Action? afterCommit = null, bool wakeWriter = true)
    {
        if (_fault is { } fault)
            throw new StoreFailedException(fault);
        var pending = new PendingCommit(changes, afterCommit);
        lock (_gate)
        {
            if (_completed)
                throw new ObjectDisposedException(nameof(GroupCommitWriter), "The sidecar store is shut down.");
            _pending.Enqueue(pending);
            if (wakeWriter && !_committing && _pending.Count == 1)
                Monitor.Pulse(_gate);
        }
        return pending.Done.Task;
    }

    /// <summary>
    /// Commits what is pending on the calling thread if no commit is in progress (one batch only: more
    /// work arriving meanwhile goes to the writer thread, so no caller is held for long). When a commit
    /// is in progress, its committer hands what is pending to the writer thread as it finishes.
    /// </summary>
    public void CommitPendingInline()
    {
        List<PendingCommit>? batch;
        lock (_gate)
        {
            batch = TakeBatch();
            if (batch is null)
                return;
        }
        CommitBatch(batch);
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
        while (true)
        {
            List<PendingCommit>? batch;
            lock (_gate)
            {
                while ((batch = TakeBatch()) is null)
                {
                    if (_completed && _pending.Count == 0 && !_committing)
                        return;
                    Monitor.Wait(_gate);
                }
            }
            CommitBatch(batch);
        }
    }

    /// <summary>Under the gate: claims the committer role and the oldest pending change sets, or null if busy or idle.</summary>
    private List<PendingCommit>? TakeBatch()
    {
        if (_committing || _pending.Count == 0)
            return null;
        _committing = true;
        var batch = new List<PendingCommit>();
        var changes = 0;
        while (changes < _maxChangesPerCommit && _pending.TryDequeue(out var next))
        {
            batch.Add(next);
            changes += next.Changes.Count;
        }
        return batch;
    }

    private void CommitBatch(List<PendingCommit> batch)
    {
        try
        {
            CommitAndAcknowledge(batch);
        }
        finally
        {
            lock (_gate)
            {
                _committing = false;
                // Whatever arrived during this commit (or was left by the change cap) is the writer thread's.
                if (_pending.Count > 0 || _completed)
                    Monitor.Pulse(_gate);
            }
        }
    }

    private void CommitAndAcknowledge(List<PendingCommit> batch)
    {
        try
        {
            if (_fault is not null)
                throw new StoreFailedException(_fault);
            var changes = batch.Count == 1 ? batch[0].Changes : batch.SelectMany(p => p.Changes).ToList();
            _store.Commit(changes);
            Interlocked.Increment(ref _commitCount);
        }
        catch (Exception ex)
        {
            // The in-memory state is now ahead of the store; refuse further changes rather than diverge.
            _fault ??= ex;
            _logger.LogCritical(ex, "Sidecar store commit failed; the sidecar refuses further changes until restarted");
            foreach (var pending in batch)
                pending.Done.TrySetException(new StoreFailedException(ex));
            return;
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

    private sealed record PendingCommit(IReadOnlyList<StoreChange> Changes, Action? AfterCommit)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>Thrown once a commit has failed: the store can no longer be trusted to match memory.</summary>
public sealed class StoreFailedException(Exception inner)
    : Exception($"The sidecar store failed to commit ({inner.Message}); restart the sidecar to recover from the last commit.", inner);
