// The baseline cleaning strategy: `evolve data curate --strategy builtin` and the data-curation task's initial program.
// A strategy composes the library's operations (Evolve.DataCuration.Cleaning.Operations) with parameters; it may also
// define its own ICleaningOperation classes. Build() is called once per run; the pipeline then cleans every document.
using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Cleaning.Operations;

public static class Strategy
{
    public static CleaningPipeline Build() =>
        new CleaningPipeline("baseline")
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
