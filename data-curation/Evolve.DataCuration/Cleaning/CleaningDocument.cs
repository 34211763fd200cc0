namespace Evolve.DataCuration.Cleaning;

/// <summary>One document passing through a strategy. Operations replace <see cref="Text"/> or remove it.</summary>
public sealed class CleaningDocument
{
    public CleaningDocument(string text, bool isDuplicate = false)
    {
        Text = text;
        IsDuplicate = isDuplicate;
    }

    public string Text { get; set; }

    /// <summary>Set by the processor from the deduplication plan: an earlier document has (nearly) the same content.</summary>
    public bool IsDuplicate { get; }

    /// <summary>Math, CS, medicine or other STEM text: formulas, code and tables in it are kept.</summary>
    public ContentDomain Domain { get; set; } = ContentDomain.General;

    public bool PreservesTechnicalContent => Domain != ContentDomain.General;

    public bool IsRemoved => RemovedBy is not null;

    public string? RemovedBy { get; private set; }

    public void Remove(string operation) => RemovedBy ??= operation;
}

public enum ContentDomain
{
    General,
    Mathematics,
    ComputerScience,
    Medicine,
    Science,
}
