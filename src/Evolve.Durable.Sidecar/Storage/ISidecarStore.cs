using Evolve.Durable.Protocol;

namespace Evolve.Durable.Sidecar.Storage;

/// <summary>
/// The sidecar's store contract. The engine keeps the live state in memory and the store is its
/// durable image: <see cref="Load"/> rebuilds the engine after a start, <see cref="Commit"/> writes one
/// batch of changes atomically. Calls are synchronous because they run on the single writer thread.
/// </summary>
public interface ISidecarStore : IDisposable
{
    /// <summary>Reads back every instance and its pending work.</summary>
    StoreSnapshot Load();

    /// <summary>Applies the changes, in order, in ONE transaction; returns only once it is durable.</summary>
    void Commit(IReadOnlyList<StoreChange> changes);

    /// <summary>Reads the committed history of one instance (used for terminal instances).</summary>
    IReadOnlyList<HistoryEvent> ReadHistory(string instanceId);
}
