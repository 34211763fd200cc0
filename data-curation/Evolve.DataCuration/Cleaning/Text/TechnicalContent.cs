using System.Buffers;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>
/// Recognises the lines that carry formulas, code and tables. In technical documents cleaning keeps
/// them even when they look like noise (symbol-heavy, repeated, oddly spaced).
/// </summary>
public static class TechnicalContent
{
    private static readonly SearchValues<char> MathSymbols = SearchValues.Create("=^$±≤≥≠≈∑∫√∂∞∈∀∃→←⇒λπσμΔ");
    private static readonly SearchValues<string> CodeMarkers = SearchValues.Create(
        ["\\frac", "\\sum", "\\int", "\\begin", "\\left", "=>", "==", "!=", "&&", "||", "return ", "def ", "#include", "import ", "();", "};"],
        StringComparison.Ordinal);

    private static double AlphanumericShare(ReadOnlySpan<char> text)
    {
        var alphanumeric = 0;
        foreach (var c in text) if (char.IsLetterOrDigit(c)) alphanumeric++;
        return (double)alphanumeric / text.Length;
    }

    public static bool IsCodeFence(ReadOnlySpan<char> line) => line.TrimStart().StartsWith("```", StringComparison.Ordinal);

    /// <summary>A table row, an indented code line, a line of code or a formula.</summary>
    public static bool IsTechnicalLine(ReadOnlySpan<char> line)
    {
        var trimmed = line.Trim();
        if (trimmed.IsEmpty) return false;
        if (trimmed[0] == '|' || line.StartsWith("    ", StringComparison.Ordinal) || line[0] == '\t') return true;
        var last = trimmed[^1];
        if (last is ';' or '{' or '}') return true;
        // Symbol soup ("=====", "#$%^&*") also contains math symbols; real formulas and code have words and numbers.
        return (trimmed.IndexOfAny(MathSymbols) >= 0 || trimmed.IndexOfAny(CodeMarkers) >= 0) && AlphanumericShare(trimmed) >= 0.2;
    }
}
