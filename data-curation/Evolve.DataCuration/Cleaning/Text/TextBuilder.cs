namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>
/// The text an operation is building to replace a document's. It writes into the document's spare buffer, which
/// becomes the document's text on commit (the old one turns into the spare): cleaning edits most documents several
/// times, and a new string per edit was a large share of the curation pass's allocation and GC time.
/// </summary>
public sealed class TextBuilder
{
    private char[] buffer;
    private int length;

    internal TextBuilder(char[] buffer) => this.buffer = buffer;

    public int Length => length;

    public char this[int index]
    {
        get => AsSpan()[index];
        set => buffer.AsSpan(0, length)[index] = value;
    }

    public ReadOnlySpan<char> AsSpan() => buffer.AsSpan(0, length);

    public TextBuilder Append(char c)
    {
        if (length == buffer.Length) Grow(1);
        buffer[length++] = c;
        return this;
    }

    public TextBuilder Append(char c, int repeat)
    {
        if (length + repeat > buffer.Length) Grow(repeat);
        buffer.AsSpan(length, repeat).Fill(c);
        length += repeat;
        return this;
    }

    public TextBuilder Append(scoped ReadOnlySpan<char> text)
    {
        if (length + text.Length > buffer.Length) Grow(text.Length);
        text.CopyTo(buffer.AsSpan(length));
        length += text.Length;
        return this;
    }

    public TextBuilder Append(string? text) => Append(text.AsSpan());

    public override string ToString() => new(buffer, 0, length);

    internal void Clear() => length = 0;

    /// <summary>Hands the storage over (to become the document's text) and takes <paramref name="spare"/> instead.</summary>
    internal char[] Exchange(char[] spare)
    {
        var built = buffer;
        buffer = spare;
        length = 0;
        return built;
    }

    private void Grow(int needed)
    {
        var grown = new char[Math.Max(checked(length + needed), Math.Max(256, buffer.Length * 2))];
        buffer.AsSpan(0, length).CopyTo(grown);
        buffer = grown;
    }
}
