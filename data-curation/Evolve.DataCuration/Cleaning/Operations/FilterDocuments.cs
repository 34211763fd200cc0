using Evolve.DataCuration.Cleaning.Text;

namespace Evolve.DataCuration.Cleaning.Operations;

/// <summary>Thresholds of the document-level quality filter.</summary>
public sealed record DocumentQualityThresholds
{
    /// <summary>Shorter documents are fragments (truncated pages, leftovers of cleaning).</summary>
    public int MinCharacters { get; init; } = 200;

    public int MinWords { get; init; } = 30;

    public double MaxSymbolRatio { get; init; } = 0.25;

    /// <summary>Formulas and code are symbol-heavy; technical documents get this looser limit.</summary>
    public double MaxSymbolRatioTechnical { get; init; } = 0.45;

    /// <summary>Spam repeats the same few words; below this distinct-word share a long document goes.</summary>
    public double MinUniqueWordRatio { get; init; } = 0.2;

    /// <summary>The unique-word test applies from this many words on (short texts repeat little anyway).</summary>
    public int UniqueWordsFrom { get; init; } = 120;

    /// <summary>Words examined for repetition; spam repeats throughout, so a prefix tells.</summary>
    public int RepetitionSample { get; init; } = 128;
}

/// <summary>Document-level quality filter: length, symbol ratio and word repetition.</summary>
public sealed class FilterDocuments(DocumentQualityThresholds? thresholds = null) : ICleaningOperation
{
    private readonly DocumentQualityThresholds limits = thresholds ?? new DocumentQualityThresholds();

    public string Name => "filter-documents";

    public string Parameters => limits.ToString();

    public void Apply(CleaningDocument document, OperationStatistics statistics)
    {
        var text = document.Span;
        if (text.Length < limits.MinCharacters)
        {
            statistics.CountRemoval(document);
            return;
        }

        var maxSymbols = document.PreservesTechnicalContent ? limits.MaxSymbolRatioTechnical : limits.MaxSymbolRatio;
        if (TextStatistics.SymbolRatio(text) > maxSymbols)
        {
            statistics.CountRemoval(document);
            return;
        }

        // Once there are enough words and more distinct ones than the ratio allows even over the whole sample, the
        // verdict is "keep" whatever follows: most documents settle after a few dozen words.
        var settledAtDistinct = (int)Math.Clamp(Math.Floor(limits.MinUniqueWordRatio * limits.RepetitionSample) + 1, 0, int.MaxValue);
        var (words, distinct) = TextStatistics.CountWords(text, limits.RepetitionSample, limits.MinWords, settledAtDistinct);
        var unique = words == 0 ? 0 : (double)distinct / words;
        if (words < limits.MinWords || (words >= limits.UniqueWordsFrom && unique < limits.MinUniqueWordRatio))
        {
            statistics.CountRemoval(document);
        }
    }
}
