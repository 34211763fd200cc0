namespace Evolve.DataCuration.Cleaning;

/// <summary>
/// An ordered composition of cleaning operations. Plain C#: a candidate program builds one with
/// <see cref="CleaningPipeline"/> and the built-in operations (or its own <see cref="ICleaningOperation"/>s).
/// </summary>
public interface ICleaningStrategy
{
    string Name { get; }

    IReadOnlyList<ICleaningOperation> Operations { get; }

    /// <summary>How duplicates are found; null when the strategy does not deduplicate.</summary>
    DeduplicationOptions? Deduplication { get; }

    /// <summary>Stable hash of the operations, their parameters and the deduplication settings.</summary>
    string Hash { get; }
}
