namespace Evolve.DataCuration.Cleaning;

/// <summary>
/// One step of a cleaning strategy. Operations are stateless and thread-safe (shards are cleaned in
/// parallel); what they did is counted in the statistics object passed in.
/// </summary>
public interface ICleaningOperation
{
    /// <summary>Stable name used in statistics and the strategy hash.</summary>
    string Name { get; }

    /// <summary>The parameters in a canonical text form; part of the strategy hash.</summary>
    string Parameters { get; }

    void Apply(CleaningDocument document, OperationStatistics statistics);
}

/// <summary>What one operation did over a shard. Not thread-safe: one instance per shard and operation.</summary>
public sealed class OperationStatistics
{
    public OperationStatistics(string operation) => Operation = operation;

    public string Operation { get; }

    /// <summary>Documents this operation dropped.</summary>
    public long Removals { get; set; }

    /// <summary>Documents this operation changed.</summary>
    public long Edits { get; set; }

    /// <summary>Characters removed from kept documents by edits.</summary>
    public long CharactersRemoved { get; set; }

    /// <summary>Records an edit from <paramref name="before"/> to <paramref name="after"/> if the text changed.</summary>
    public void CountEdit(CleaningDocument document, string before, string after)
    {
        if (ReferenceEquals(before, after)) return;
        document.Text = after;
        Edits++;
        CharactersRemoved += Math.Max(0, before.Length - after.Length);
    }

    /// <summary>Makes what <paramref name="edited"/> (from <see cref="CleaningDocument.Edit"/>) built the document's text and records the edit.</summary>
    public void CountEdit(CleaningDocument document, Text.TextBuilder edited)
    {
        var before = document.Length;
        document.Commit(edited);
        CountEdit(before, document.Length);
    }

    /// <summary>Records an edit already made (in several steps) that took the text from one length to another.</summary>
    internal void CountEdit(int lengthBefore, int lengthAfter)
    {
        Edits++;
        CharactersRemoved += Math.Max(0, lengthBefore - lengthAfter);
    }

    public void CountRemoval(CleaningDocument document)
    {
        document.Remove(Operation);
        Removals++;
    }

    public void Add(OperationStatistics other)
    {
        Removals += other.Removals;
        Edits += other.Edits;
        CharactersRemoved += other.CharactersRemoved;
    }
}
