using System.Text;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>Decides, line by line, whether a line goes. State (seen lines, counters) lives in the rule struct.</summary>
internal interface ILineRule
{
    /// <param name="line">The line, without its '\n'.</param>
    /// <param name="lineStart">Where <paramref name="line"/> starts in the text (rules that searched the whole text once use it).</param>
    bool Drop(ReadOnlySpan<char> line, int lineStart, in LineContext context);
}

/// <summary>Where a line sits; whether it is protected is worked out only when a rule asks (most lines never need it).</summary>
internal readonly struct LineContext(bool preserveTechnical, bool inCodeFence)
{
    public bool IsProtected(ReadOnlySpan<char> line) => preserveTechnical && (inCodeFence || TechnicalContent.IsTechnicalLine(line));
}

/// <summary>Shared line walking: tracks code fences and protected lines, rebuilds text only when a line is dropped.</summary>
internal static class LineEditing
{
    public static string RemoveLines<TRule>(string text, bool preserveTechnical, ref TRule rule, out int removedLines)
        where TRule : struct, ILineRule
    {
        removedLines = 0;
        StringBuilder? builder = null;
        var inFence = false;
        var position = 0;
        while (position <= text.Length)
        {
            var lineStart = position;
            var newline = text.AsSpan(position).IndexOf('\n');
            var lineEnd = newline < 0 ? text.Length : position + newline;
            var line = text.AsSpan(lineStart, lineEnd - lineStart);
            position = lineEnd + 1;
            // Fences only matter for protection, which only technical documents have.
            var isFence = preserveTechnical && TechnicalContent.IsCodeFence(line);
            var context = new LineContext(preserveTechnical, inFence || isFence);
            if (isFence) inFence = !inFence;

            if (rule.Drop(line, lineStart, context))
            {
                if (builder is null)
                {
                    builder = PooledBuilder.Rent();
                    builder.Append(text, 0, lineStart);
                }

                removedLines++;
                continue;
            }

            if (builder is not null)
            {
                builder.Append(line);
                if (position <= text.Length) builder.Append('\n');
            }
        }

        return builder is null ? text : PooledBuilder.ToStringAndReturn(builder);
    }
}
