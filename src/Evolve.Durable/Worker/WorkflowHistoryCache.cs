using Evolve.Durable.Protocol;

namespace Evolve.Durable.Worker;

/// <summary>
/// Histories kept between turns on one work-item stream (WORKER_CAPABILITY_STATEFUL_HISTORY), so the
/// sidecar can leave out the prefix the worker already holds. Cleared whenever the stream reconnects.
/// </summary>
internal sealed class WorkflowHistoryCache(int capacity)
{
    private readonly Dictionary<string, Entry> _entries = [];
    private readonly Lock _lock = new();

    private sealed record Entry(string ExecutionId, List<HistoryEvent> Events);

    /// <summary>The first <paramref name="eventCount"/> events of the instance's history, if held.</summary>
    public bool TryGetPrefix(string instanceId, string executionId, int eventCount, out List<HistoryEvent> prefix)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(instanceId, out var entry) && entry.Events.Count >= eventCount
                && (executionId.Length == 0 || entry.ExecutionId == executionId))
            {
                prefix = entry.Events.GetRange(0, eventCount);
                return true;
            }
        }
        prefix = [];
        return false;
    }

    /// <summary>Remembers what the worker has seen (past + new events) after a turn.</summary>
    public void Store(string instanceId, string executionId, List<HistoryEvent> seen)
    {
        if (capacity == 0) return;
        lock (_lock)
        {
            if (!_entries.ContainsKey(instanceId) && _entries.Count >= capacity)
            {
                _entries.Remove(_entries.Keys.First()); // simple eviction; a miss only costs a GetInstanceHistory
            }
            _entries[instanceId] = new Entry(executionId, seen);
        }
    }

    public void Remove(string instanceId)
    {
        lock (_lock) _entries.Remove(instanceId);
    }

    public void Clear()
    {
        lock (_lock) _entries.Clear();
    }
}
