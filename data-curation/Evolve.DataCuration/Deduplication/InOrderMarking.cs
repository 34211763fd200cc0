namespace Evolve.DataCuration.Deduplication;

/// <summary>
/// Hands shards to a <see cref="DuplicateMarker"/> in plan order while their signatures arrive in any order. The thread
/// that delivers a shard also marks every shard then next in line, so marking runs on the signature pass's own threads
/// and keeps pace with it. (A separate planning task found no free thread-pool thread while both cores were hashing, and
/// then marked every shard alone after the pass: 60–90 ms of the bench's run with one core idle.)
/// </summary>
/// <param name="marked">
/// Called for each shard, in plan order, as soon as its duplicates are decided: its rows to drop (none when it has no
/// signatures) and the hash of what decided them; the caller may start curating it at once.
/// </param>
internal sealed class InOrderMarking(DuplicateMarker marker, IReadOnlyList<int> order, Action<int, int[], string>? marked = null)
{
    private readonly object gate = new();
    private readonly Dictionary<int, ShardSignatures?> waiting = [];
    private readonly HashSet<int> delivered = [];
    private int next;
    private bool busy;

    public DuplicateMarker Marker => marker;

    /// <summary>Whether every shard of the order has been delivered and marked.</summary>
    public bool IsComplete
    {
        get
        {
            lock (gate) return next == order.Count;
        }
    }

    /// <param name="shard">The shard's number, as it appears in the order.</param>
    /// <param name="signatures">Null when the shard's signatures could not be computed.</param>
    public void Arrived(int shard, ShardSignatures? signatures)
    {
        lock (gate)
        {
            if (!delivered.Add(shard)) throw new InvalidOperationException($"Shard {shard} was delivered twice.");
            waiting[shard] = signatures;
            if (busy) return; // the thread marking now takes this shard when its turn comes
            busy = true;
        }

        try
        {
            while (true)
            {
                int nextShard;
                ShardSignatures? nextSignatures;
                lock (gate)
                {
                    if (next == order.Count || !waiting.Remove(order[next], out nextSignatures))
                    {
                        busy = false;
                        return;
                    }

                    nextShard = order[next++];
                }

                if (nextSignatures is null)
                {
                    marked?.Invoke(nextShard, [], marker.CurrentHash);
                    continue;
                }

                // Shards of a run are alike: the first one's size times their number sizes the tables (growing them as
                // the marking went took a third of its time).
                if (nextShard == order[0]) marker.Reserve((long)nextSignatures.RowCount * order.Count);
                var rows = marker.Add(nextSignatures); // outside the lock: the other threads deliver their shards meanwhile
                marked?.Invoke(nextShard, rows, marker.CurrentHash);
            }
        }
        catch
        {
            lock (gate) busy = false;
            throw;
        }
    }
}
