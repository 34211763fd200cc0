using Evolve.DataCuration.Cleaning.Text;

namespace Evolve.DataCuration.Cleaning;

/// <summary>
/// One document passing through a strategy. Operations read <see cref="Span"/> (or <see cref="Text"/>) and replace
/// the text or remove the document. The library's operations edit through <see cref="Edit"/>, which builds in a buffer
/// the document keeps; a string is made only when someone asks for <see cref="Text"/>. The curator reuses one document
/// for all rows of a shard, so those buffers are allocated once per shard, not once per edit.
/// </summary>
public sealed class CleaningDocument
{
    private string? text;   // the current text when it is a string; null when it lives in `current`
    private char[] current = [];
    private int length;
    private TextBuilder? builder;

    public CleaningDocument(string text, bool isDuplicate = false) => Reset(text, isDuplicate);

    /// <summary>The current text, without making a string of it.</summary>
    public ReadOnlySpan<char> Span => text is not null ? text.AsSpan() : current.AsSpan(0, length);

    public int Length => text?.Length ?? length;

    /// <summary>The current text as a string (made on first use after an edit through <see cref="Edit"/>).</summary>
    public string Text
    {
        get => text ??= new string(current, 0, length);
        set => text = value ?? throw new ArgumentNullException(nameof(value), "A document's text cannot be null; remove the document instead.");
    }

    /// <summary>Set by the processor from the deduplication plan: an earlier document has (nearly) the same content.</summary>
    public bool IsDuplicate { get; private set; }

    /// <summary>Math, CS, medicine or other STEM text: formulas, code and tables in it are kept.</summary>
    public ContentDomain Domain { get; set; } = ContentDomain.General;

    public bool PreservesTechnicalContent => Domain != ContentDomain.General;

    public bool IsRemoved => RemovedBy is not null;

    public string? RemovedBy { get; private set; }

    public void Remove(string operation) => RemovedBy ??= operation;

    /// <summary>
    /// An empty builder for this document's next text; <see cref="OperationStatistics.CountEdit(CleaningDocument, TextBuilder)"/>
    /// makes it the text. <see cref="Span"/> stays valid (and unchanged) until then.
    /// </summary>
    public TextBuilder Edit()
    {
        builder ??= new TextBuilder(new char[Math.Max(256, Length)]);
        builder.Clear();
        return builder;
    }

    /// <summary>Makes what <paramref name="edited"/> built the text; the old text's buffer becomes the next edit's.</summary>
    internal void Commit(TextBuilder edited)
    {
        if (!ReferenceEquals(edited, builder)) throw new ArgumentException("The builder was not started by this document's Edit().", nameof(edited));
        var built = edited.Length;
        current = edited.Exchange(current);
        length = built;
        text = null;
    }

    /// <summary>The current text if it is held as a string (it was never edited, or an operation set <see cref="Text"/>).</summary>
    internal string? TextIfString => text;

    /// <summary>Starts over with the next row's text (the curator reuses one document, and its buffers, per shard).</summary>
    internal void Reset(string text, bool isDuplicate)
    {
        Text = text;
        IsDuplicate = isDuplicate;
        Domain = ContentDomain.General;
        RemovedBy = null;
    }
}

public enum ContentDomain
{
    General,
    Mathematics,
    ComputerScience,
    Medicine,
    Science,
}
