using System.Buffers;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>
/// Recognises the lines that carry formulas, code and tables. In technical documents cleaning keeps
/// them even when they look like noise (symbol-heavy, repeated, oddly spaced).
/// </summary>
public static class TechnicalContent
{
    // ASCII triggers are searched vectorised; the rarer non-ASCII math symbols only where non-ASCII text occurs.
    private static readonly SearchValues<char> AsciiTriggers = SearchValues.Create("=^$\\{}");
    private static readonly SearchValues<char> NonAsciiMath = SearchValues.Create("±≤≥≠≈∑∫√∂∞∈∀∃→←⇒λπσμΔ");

    public static bool IsCodeFence(ReadOnlySpan<char> line) =>
        // Called for every line: most start with neither whitespace nor '`', and are answered by their first character.
        !line.IsEmpty && (line[0] == '`' || char.IsWhiteSpace(line[0])) && line.TrimStart().StartsWith("```", StringComparison.Ordinal);

    /// <summary>A table row, an indented code line, a line of code or a formula.</summary>
    public static bool IsTechnicalLine(ReadOnlySpan<char> line)
    {
        var trimmed = line.Trim();
        if (trimmed.IsEmpty) return false;
        if (trimmed[0] == '|' || line.StartsWith("    ", StringComparison.Ordinal) || line[0] == '\t') return true;
        var last = trimmed[^1];
        if (last is ';' or '{' or '}') return true;
        // Symbol soup ("=====", "#$%^&*") also contains math symbols; real formulas and code have words and numbers.
        return (trimmed.ContainsAny(AsciiTriggers) || ContainsNonAsciiMath(trimmed)) && TextStatistics.AlphanumericShare(trimmed) >= 0.2;
    }

    private static bool ContainsNonAsciiMath(ReadOnlySpan<char> text)
    {
        while (true)
        {
            var at = text.IndexOfAnyExceptInRange('\0', '\u007F');
            if (at < 0) return false;
            if (NonAsciiMath.Contains(text[at])) return true;
            text = text[(at + 1)..];
        }
    }
}
