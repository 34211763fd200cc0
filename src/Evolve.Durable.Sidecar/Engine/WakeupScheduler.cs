using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Sidecar.Engine;

internal enum WakeupKind { Timer, Start, FlushDeferred }

/// <summary>A moment the engine must act on: a durable timer firing, a delayed start, or a deferred commit's deadline.</summary>
internal readonly record struct Wakeup(WakeupKind Kind, long Id, string? InstanceId)
{
    public static Wakeup Timer(long id) => new(WakeupKind.Timer, id, null);
    public static Wakeup Start(string instanceId) => new(WakeupKind.Start, 0, instanceId);
    public static Wakeup Flush(string instanceId, long generation) => new(WakeupKind.FlushDeferred, generation, instanceId);
}

/// <summary>
/// Calls back when wakeups fall due. One background loop sleeps until the earliest due time and is
/// woken early when an earlier wakeup is added; overdue ones (e.g. after a restart) fire at once.
/// </summary>
internal sealed class WakeupScheduler : IAsyncDisposable
{
    private readonly PriorityQueue<Wakeup, DateTimeOffset> _queue = new();
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _changed = new(0);
    private readonly TimeProvider _time;
    private readonly Action<IReadOnlyList<Wakeup>> _onDue;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WakeupScheduler(TimeProvider time, Action<IReadOnlyList<Wakeup>> onDue, ILogger logger)
    {
        _time = time;
        _onDue = onDue;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public void Schedule(DateTimeOffset at, Wakeup wakeup)
    {
        bool earliest;
        lock (_lock)
        {
            earliest = !_queue.TryPeek(out _, out var first) || at < first;
            _queue.Enqueue(wakeup, at);
        }
        if (earliest)
            _changed.Release();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            var due = new List<Wakeup>();
            TimeSpan wait = Timeout.InfiniteTimeSpan;
            var now = _time.GetUtcNow();
            lock (_lock)
            {
                while (_queue.TryPeek(out var wakeup, out var at))
                {
                    if (at > now)
                    {
                        // Cap the sleep so a long wait survives clock adjustments without drifting badly.
                        wait = TimeSpan.FromMilliseconds(Math.Min((at - now).TotalMilliseconds + 1, 60_000));
                        break;
                    }
                    _queue.Dequeue();
                    due.Add(wakeup);
                }
            }
            if (due.Count > 0)
            {
                try
                {
                    _onDue(due);
                }
                catch (Exception ex)
                {
                    _logger.LogError(ex, "Firing {Count} due timers failed", due.Count);
                }
                continue;
            }
            await _changed.WaitAsync(wait, token).ConfigureAwait(false);
        }
    }
}
