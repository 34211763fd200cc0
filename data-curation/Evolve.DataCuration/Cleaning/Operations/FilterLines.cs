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

    [ThreadStatic]
    private static Dictionary<ulong, int>? seenLines;

    public string Name => "filter-lines";

    public string Parameters => FormattableString.Invariant($"max-symbol-ratio={maxSymbolRatio:R};max-repeats={maxRepeats};min-length={minLengthForRatio}");

    public void Apply(CleaningDocument document, OperationStatistics statistics)
    {
        var seen = seenLines ??= new Dictionary<ulong, int>();
        seen.Clear();
        var rule = new Rule(this, seen);
        var after = LineEditing.RemoveLines(document.Text, document.PreservesTechnicalContent, ref rule, out _);
        statistics.CountEdit(document, document.Text, after);
    }

    private readonly struct Rule(FilterLines owner, Dictionary<ulong, int> seen) : ILineRule
    {
        public bool Drop(ReadOnlySpan<char> line, in LineContext context)
        {
            var trimmed = line.Trim();
            if (trimmed.IsEmpty) return false;
            if (trimmed.Length >= owner.MinLengthForRatio && TextStatistics.SymbolRatio(trimmed) > owner.MaxSymbolRatio) return !context.IsProtected(line);
            if (trimmed.Length < 20) return false; // short lines ("Results", "1.") legitimately repeat
            var key = FastHash.Hash64(trimmed);
            ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(seen, key, out _);
            count++;
            return count > owner.MaxRepeats && !context.IsProtected(line);
        }
    }
}
