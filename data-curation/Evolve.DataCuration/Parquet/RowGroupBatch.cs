namespace Evolve.DataCuration.Parquet;

/// <summary>All columns of one row group; the text column is also exposed directly for cleaning.</summary>
internal sealed class RowGroupBatch
{
    private readonly ColumnBuffer[] columns;
    private readonly StringColumnBuffer text;

    public RowGroupBatch(ColumnBuffer[] columns, int textColumnIndex)
    {
        this.columns = columns;
        text = (StringColumnBuffer)columns[textColumnIndex];
    }

    public int RowCount => text.Count;

    /// <summary>The document texts; cleaning replaces entries in place before <see cref="Retain"/>.</summary>
    public string?[] Texts => text.Values;

    /// <summary>Writes <paramref name="cleaned"/> as row <paramref name="row"/>'s text (kept until the batch is written).</summary>
    public void ReplaceText(int row, ReadOnlyMemory<char> cleaned) => text.Replace(row, cleaned);

    public IReadOnlyList<ColumnBuffer> Columns => columns;

    public void Retain(ReadOnlySpan<int> keptRows)
    {
        foreach (var column in columns) column.Retain(keptRows);
    }
}
