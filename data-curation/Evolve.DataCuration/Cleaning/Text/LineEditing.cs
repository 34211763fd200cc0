namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>Decides, line by line, whether a line goes. State (seen lines, counters) lives in the rule struct.</summary>
internal interface ILineRule
{
    /// <param name="line">The line, without its '\n'.</param>
    /// <param name="lineStart">Where <paramref name="line"/> starts in the text (rules that searched the whole text once use it).</param>
    bool Drop(ReadOnlySpan<char> line, int lineStart, in LineContext context);
}

/// <summary>Where a line sits; whether it is protected is worked out only when a rule asks (most lines never need it).</summary>
internal readonly ref struct LineContext(ReadOnlySpan<char> text, bool preserveTechnical, bool inCodeFence)
{
    /// <summary>The whole document the line belongs to.</summary>
    public ReadOnlySpan<char> Text { get; } = text;

    public bool IsProtected(ReadOnlySpan<char> line) => preserveTechnical && (inCodeFence || TechnicalContent.IsTechnicalLine(line));
}

/// <summary>Shared line walking: tracks code fences and protected lines, rebuilds text only when a line is dropped.</summary>
internal static class LineEditing
{
    /// <summary>The document without the lines <paramref name="rule"/> drops, or null when it drops none.</summary>
    public static TextBuilder? RemoveLines<TRule>(CleaningDocument document, ref TRule rule)
        where TRule : struct, ILineRule
    {
        var text = document.Span;
        var preserveTechnical = document.PreservesTechnicalContent;
        TextBuilder? builder = null;
        var inFence = false;
        var lines = new LineWalk(text);
        while (lines.Next(out var lineStart, out var lineEnd))
        {
            var line = text[lineStart..lineEnd];
            // Fences only matter for protection, which only technical documents have.
            var isFence = preserveTechnical && TechnicalContent.IsCodeFence(line);
            var context = new LineContext(text, preserveTechnical, inFence || isFence);
            if (isFence) inFence = !inFence;

            if (rule.Drop(line, lineStart, context))
            {
                if (builder is null)
                {
                    builder = document.Edit();
                    builder.Append(text[..lineStart]);
                }

                continue;
            }

            if (builder is not null)
            {
                builder.Append(line);
                if (lineEnd < text.Length) builder.Append('\n');
            }
        }

        return builder;
    }
}
