namespace Evolve.DataCuration.Cleaning.Operations;

/// <summary>
/// Drops documents the run's deduplication plan marked as duplicates of an earlier document. The plan
/// is computed before cleaning (see <see cref="Deduplication.DuplicatePlanner"/>), which is what makes
/// cross-shard deduplication deterministic and restart-safe.
/// </summary>
public sealed class RemoveDuplicates : ICleaningOperation
{
    public string Name => "remove-duplicates";

    public string Parameters => "";

    public void Apply(CleaningDocument document, OperationStatistics statistics)
    {
        if (document.IsDuplicate) statistics.CountRemoval(document);
    }
}
