using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
        if (!NeedsWork(document.Span)) return;
        if (Normalize(document) is { } normalized) statistics.CountEdit(document, normalized);
    }

    /// <summary>The rebuild of any text (what the fast check in <see cref="Apply"/> must agree with).</summary>
    internal static string Normalize(string text, bool preserve)
    {
        var document = new CleaningDocument(text) { Domain = preserve ? ContentDomain.Science : ContentDomain.General };
        return Normalize(document)?.ToString() ?? text;
    }

    /// <summary>The rebuild; null when it comes out the same as the document.</summary>
    private static TextBuilder? Normalize(CleaningDocument document)
    {
        var text = document.Span;
        var preserve = document.PreservesTechnicalContent;
        var builder = document.Edit();
        var inFence = false;
        var blankRun = 0;
        var lines = new LineWalk(text);
        while (lines.Next(out var start, out var end))
        {
            var line = text[start..end].TrimEnd();

            var isFence = TechnicalContent.IsCodeFence(line);
            var context = new LineContext(text, preserve, inFence || isFence);
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

        return builder.AsSpan().SequenceEqual(text) ? null : builder;
    }

    /// <summary>
    /// Whether rebuilding can change the text (most documents are already normal, and this scan is far cheaper than
    /// rebuilding and comparing): whitespace at either end, '\r' or '\t', a space before a line break, three line
    /// breaks in a row, or two spaces after a line's indentation. Two spaces inside indentation stay as they are; they
    /// only matter through what an old, broader check let through: in a text that has them, lines ending in other
    /// whitespace (no-break space, form feed) are trimmed too. One vectorised pass over the text.
    /// </summary>
    internal static bool NeedsWork(ReadOnlySpan<char> span)
    {
        if (span.Length == 0) return false;
        if (char.IsWhiteSpace(span[0]) || char.IsWhiteSpace(span[^1])) return true;
        var anyDoubleSpace = false;
        var otherWhitespaceAtLineEnd = false;
        var k = 1;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var chars = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(span));
            // Loads at k-1 .. k+2 stay inside the text.
            for (; k + 2 + Vector256<ushort>.Count <= span.Length; k += Vector256<ushort>.Count)
            {
                var before = Vector256.LoadUnsafe(ref chars, (nuint)(k - 1));
                var at = Vector256.LoadUnsafe(ref chars, (nuint)k);
                var next = Vector256.LoadUnsafe(ref chars, (nuint)(k + 1));
                var afterNext = Vector256.LoadUnsafe(ref chars, (nuint)(k + 2));
                var space = Vector256.Equals(at, Vector256.Create((ushort)' '));
                var newline = Vector256.Equals(at, Vector256.Create((ushort)'\n'));
                var nextSpace = Vector256.Equals(next, Vector256.Create((ushort)' '));
                var nextNewline = Vector256.Equals(next, Vector256.Create((ushort)'\n'));
                var indentOrBreakBefore = Vector256.Equals(before, Vector256.Create((ushort)' ')) |
                    Vector256.Equals(before, Vector256.Create((ushort)'\t')) | Vector256.Equals(before, Vector256.Create((ushort)'\n'));
                var doubleSpace = space & nextSpace;
                var work = Vector256.Equals(at, Vector256.Create((ushort)'\r')) | Vector256.Equals(at, Vector256.Create((ushort)'\t')) |
                    (space & nextNewline) | (newline & nextNewline & Vector256.Equals(afterNext, Vector256.Create((ushort)'\n'))) |
                    Vector256.AndNot(doubleSpace, indentOrBreakBefore);
                if (work != Vector256<ushort>.Zero) return true;
                anyDoubleSpace |= doubleSpace != Vector256<ushort>.Zero;
                // A control or non-ASCII character before a line break: checked one by one.
                var unusual = nextNewline & ~newline & (Vector256.LessThan(at, Vector256.Create((ushort)' ')) | Vector256.GreaterThan(at, Vector256.Create((ushort)0x7F)));
                for (var bits = unusual.ExtractMostSignificantBits(); bits != 0 && !otherWhitespaceAtLineEnd; bits &= bits - 1)
                {
                    otherWhitespaceAtLineEnd = IsOtherWhitespace(span[k + BitOperations.TrailingZeroCount(bits)]);
                }
            }
        }

        // The rest one by one; position 0 is never whitespace here.
        for (; k < span.Length; k++)
        {
            var c = span[k];
            var next = k + 1 < span.Length ? span[k + 1] : '\0';
            if (c is '\r' or '\t' || (c == ' ' && next == '\n') || (c == '\n' && next == '\n' && k + 2 < span.Length && span[k + 2] == '\n') ||
                (c == ' ' && next == ' ' && span[k - 1] is not (' ' or '\t' or '\n')))
            {
                return true;
            }

            anyDoubleSpace |= c == ' ' && next == ' ';
            otherWhitespaceAtLineEnd |= next == '\n' && IsOtherWhitespace(c);
        }

        return anyDoubleSpace && otherWhitespaceAtLineEnd;
    }

    private static bool IsOtherWhitespace(char c) => c is not (' ' or '\t' or '\r' or '\n') && char.IsWhiteSpace(c);

    private static bool HasInnerRuns(ReadOnlySpan<char> line) =>
        line.Contains('\t') || line.TrimStart(" \t").IndexOf("  ", StringComparison.Ordinal) >= 0;

    private static void AppendCollapsed(TextBuilder builder, ReadOnlySpan<char> line)
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
}
