using Evolve.Durable.Protocol;
using Evolve.Durable.Replay;
using Microsoft.Extensions.DependencyInjection;

namespace Evolve.Durable.Worker;

/// <summary>
/// What the worker keeps per instance between turns on one work-item stream
/// (WORKER_CAPABILITY_STATEFUL_HISTORY): the history it has seen, so the sidecar can leave that prefix
/// out, and the live replay session, so a turn applies only the new events instead of replaying all.
/// An entry is taken out while its turn runs, so two turns never share one. Cleared on reconnect.
/// </summary>
internal sealed class WorkflowSessionCache(int capacity)
{
    private readonly Dictionary<string, Entry> _entries = [];
    private readonly Lock _lock = new();
    private long _generation;

    internal sealed class Entry(string executionId, long generation) : IDisposable
    {
        public string ExecutionId { get; } = executionId;
        public long Generation { get; } = generation;
        public List<HistoryEvent> Events { get; } = [];
        public WorkflowSession? Session { get; set; }
        public IServiceScope? Scope { get; set; }

        public void Dispose()
        {
            Session?.Dispose();
            try
            {
                Scope?.Dispose();
            }
            catch (InvalidOperationException)
            {
                // a service that only supports async disposal; nothing more to do for it here
            }
        }
    }

    public long Generation
    {
        get { lock (_lock) return _generation; }
    }

    public Entry? Take(string instanceId)
    {
        lock (_lock)
        {
            return _entries.Remove(instanceId, out var entry) ? entry : null;
        }
    }

    /// <summary>Keeps the entry for the next turn, unless the stream changed meanwhile or caching is off.</summary>
    public void Return(string instanceId, Entry entry)
    {
        Entry? evicted = null;
        lock (_lock)
        {
            if (capacity == 0 || entry.Generation != _generation)
            {
                evicted = entry;
            }
            else
            {
                if (!_entries.ContainsKey(instanceId) && _entries.Count >= capacity)
                {
                    var oldest = _entries.Keys.First(); // a miss only costs a full replay
                    _entries.Remove(oldest, out evicted);
                }
                if (_entries.Remove(instanceId, out var replaced)) replaced.Dispose();
                _entries[instanceId] = entry;
            }
        }
        evicted?.Dispose();
    }

    public void Remove(string instanceId) => Take(instanceId)?.Dispose();

    /// <summary>A new stream starts: the sidecar assumes nothing is held.</summary>
    public void Clear()
    {
        List<Entry> old;
        lock (_lock)
        {
            _generation++;
            old = [.. _entries.Values];
            _entries.Clear();
        }
        old.ForEach(e => e.Dispose());
    }
}
