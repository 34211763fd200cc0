using System.Threading.Channels;
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
    private readonly Channel<PendingCommit> _pending = Channel.CreateUnbounded<PendingCommit>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
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
        if (!_pending.Writer.TryWrite(pending))
            throw new ObjectDisposedException(nameof(GroupCommitWriter), "The sidecar store is shut down.");
        return pending.Done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await Task.Run(() => _thread.Join()).ConfigureAwait(false);
    }

    private void Run()
    {
        var batch = new List<PendingCommit>();
        var changes = new List<StoreChange>();
        var reader = _pending.Reader;
        while (WaitForWork(reader))
        {
            batch.Clear();
            changes.Clear();
            while (changes.Count < _maxChangesPerCommit && reader.TryRead(out var next))
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

    private static bool WaitForWork(ChannelReader<PendingCommit> reader)
    {
        var wait = reader.WaitToReadAsync();
        return wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private sealed record PendingCommit(IReadOnlyList<StoreChange> Changes, Action? AfterCommit)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>Thrown once a commit has failed: the store can no longer be trusted to match memory.</summary>
public sealed class StoreFailedException(Exception inner)
    : Exception($"The sidecar store failed to commit ({inner.Message}); restart the sidecar to recover from the last commit.", inner);
