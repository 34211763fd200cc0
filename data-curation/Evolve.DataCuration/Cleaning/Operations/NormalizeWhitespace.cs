using System.Text;
using Evolve.DataCuration.Cleaning.Text;

namespace Evolve.DataCuration.Cleaning.Operations;

/// <summary>
/// Line endings to "\n", trailing spaces gone, runs of spaces and tabs inside a line collapsed, at most
/// one blank line in a row, no blank lines at the ends. Indentation is kept, and in technical
/// documents code and table lines keep their inner alignment too.
/// </summary>
public sealed class NormalizeWhitespace : ICleaningOperation
{
    public string Name => "normalize-whitespace";

    public string Parameters => "collapse;max-blank=1";

    public void Apply(CleaningDocument document, OperationStatistics statistics)
    {
        var text = document.Text;
        if (!NeedsWork(text)) return;
        var builder = PooledBuilder.Rent();
        var inFence = false;
        var blankRun = 0;
        var position = 0;
        var preserve = document.PreservesTechnicalContent;
        while (position <= text.Length)
        {
            var newline = text.AsSpan(position).IndexOf('\n');
            var end = newline < 0 ? text.Length : position + newline;
            var line = text.AsSpan(position, end - position).TrimEnd();
            position = end + 1;

            var isFence = TechnicalContent.IsCodeFence(line);
            var context = new LineContext(preserve, inFence || isFence);
            if (isFence) inFence = !inFence;

            if (line.IsEmpty)
            {
                blankRun++;
                continue;
            }

            if (builder.Length > 0) builder.Append('\n', blankRun > 0 ? 2 : 1);
            blankRun = 0;
            if (!HasInnerRuns(line) || context.IsProtected(line)) builder.Append(line);
            else AppendCollapsed(builder, line);
        }

        var result = builder.Length == text.Length && Same(builder, text) ? text : PooledBuilder.ToStringAndReturn(builder);
        statistics.CountEdit(document, text, result);
    }

    /// <summary>Most documents are already normal; this scan is far cheaper than rebuilding and comparing.</summary>
    private static bool NeedsWork(string text) =>
        text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]) ||
            text.AsSpan().IndexOfAny('\r', '\t') >= 0 || text.Contains("  ", StringComparison.Ordinal) ||
            text.Contains(" \n", StringComparison.Ordinal) || text.Contains("\n\n\n", StringComparison.Ordinal));

    private static bool HasInnerRuns(ReadOnlySpan<char> line) =>
        line.Contains('\t') || line.TrimStart(" \t").IndexOf("  ", StringComparison.Ordinal) >= 0;

    private static void AppendCollapsed(StringBuilder builder, ReadOnlySpan<char> line)
    {
        var indent = 0;
        while (indent < line.Length && (line[indent] == ' ' || line[indent] == '\t')) indent++;
        builder.Append(line[..indent]);
        var rest = line[indent..];
        while (!rest.IsEmpty)
        {
            var gap = rest.IndexOfAny(' ', '\t');
            if (gap < 0)
            {
                builder.Append(rest);
                break;
            }

            builder.Append(rest[..gap]).Append(' ');
            rest = rest[gap..].TrimStart(" \t");
        }
    }

    private static bool Same(StringBuilder builder, string text)
    {
        var offset = 0;
        foreach (var chunk in builder.GetChunks())
        {
            if (!chunk.Span.SequenceEqual(text.AsSpan(offset, chunk.Length))) return false;
            offset += chunk.Length;
        }

        return true;
    }
}
