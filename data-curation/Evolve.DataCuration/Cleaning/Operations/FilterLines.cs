using Evolve.DataCuration.Cleaning.Text;

namespace Evolve.DataCuration.Cleaning.Operations;

/// <summary>
/// Line-level quality filter: drops symbol-heavy junk lines ("=====", "#@!%&amp;*"), and repeats of a
/// line already seen in the document beyond <paramref name="maxRepeats"/>. Formulas, code and tables
/// in technical documents are exempt.
/// </summary>
public sealed class FilterLines(double maxSymbolRatio = 0.5, int maxRepeats = 1, int minLengthForRatio = 4) : ICleaningOperation
{
    private double MaxSymbolRatio => maxSymbolRatio;

    private int MaxRepeats => maxRepeats;

    private int MinLengthForRatio => minLengthForRatio;

    public string Name => "filter-lines";

    public string Parameters => FormattableString.Invariant($"max-symbol-ratio={maxSymbolRatio:R};max-repeats={maxRepeats};min-length={minLengthForRatio}");

    public void Apply(CleaningDocument document, OperationStatistics statistics)
    {
        var rule = new Rule(this, RepeatedLines.ForNextDocument());
        if (LineEditing.RemoveLines(document, ref rule) is { } kept) statistics.CountEdit(document, kept);
    }

    private readonly struct Rule(FilterLines owner, RepeatedLines seen) : ILineRule
    {
        public bool Drop(ReadOnlySpan<char> line, int lineStart, in LineContext context)
        {
            var trimmed = line.TrimStart();
            var trimmedStart = lineStart + (line.Length - trimmed.Length);
            trimmed = trimmed.TrimEnd();
            if (trimmed.IsEmpty) return false;
            if (trimmed.Length >= owner.MinLengthForRatio && TextStatistics.SymbolRatio(trimmed) > owner.MaxSymbolRatio) return !context.IsProtected(line);
            if (trimmed.Length < 20) return false; // short lines ("Results", "1.") legitimately repeat
            return seen.Add(context.Text, trimmedStart, trimmed.Length) > owner.MaxRepeats && !context.IsProtected(line);
        }
    }
}
