using Evolve.DataCuration.Cleaning.Operations;

namespace Evolve.DataCuration.Cleaning;

/// <summary>The built-in strategy: the starting point candidates evolve from.</summary>
public static class BaselineStrategy
{
    public const string Name = "baseline";

    public static CleaningPipeline Create() =>
        new CleaningPipeline(Name)
            // Duplicates first: dropping them before any work is the cheapest cleaning there is.
            .Deduplicate(new DeduplicationOptions { Threshold = 0.6 })
            .Add(new DetectTechnicalDomain())
            // Before Unicode normalisation, which would delete the C1 characters mojibake repair decodes.
            .Add(new RepairEncoding())
            .Add(new StripMarkup())
            .Add(new NormalizeUnicode(UnicodeForm.Nfkc))
            .Add(new RemoveBoilerplate())
            .Add(new MaskPii())
            .Add(new FilterLines())
            .Add(new NormalizeWhitespace())
            .Add(new FilterDocuments());
}
