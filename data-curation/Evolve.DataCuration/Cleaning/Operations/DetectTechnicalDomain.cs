using System.Buffers;

namespace Evolve.DataCuration.Cleaning.Operations;

/// <summary>
/// Domain-aware preservation: recognises math, CS, medical and other STEM documents so later steps keep
/// their formulas, code and tables. Put it before the filters it should protect.
/// </summary>
public sealed class DetectTechnicalDomain(int minimumHits = 3) : ICleaningOperation
{
    private static readonly (ContentDomain Domain, SearchValues<string> Terms)[] Vocabularies =
    [
        (ContentDomain.Mathematics, SearchValues.Create(
            ["theorem", "lemma", "proof", "equation", "integral", "derivative", "polynomial", "matrix", "\\frac", "$", "corollary", "eigenvalue"],
            StringComparison.OrdinalIgnoreCase)),
        (ContentDomain.ComputerScience, SearchValues.Create(
            ["algorithm", "function", "compiler", "runtime", "```", "return ", "complexity", "database", "thread", "variable", "class "],
            StringComparison.OrdinalIgnoreCase)),
        (ContentDomain.Medicine, SearchValues.Create(
            ["patient", "clinical", "dose", "diagnosis", "treatment", "symptom", "mg/", "therapy", "disease", "trial"],
            StringComparison.OrdinalIgnoreCase)),
        (ContentDomain.Science, SearchValues.Create(
            ["molecule", "energy", "protein", "experiment", "quantum", "particle", "reaction", "wavelength", "velocity"],
            StringComparison.OrdinalIgnoreCase)),
    ];

    public string Name => "detect-domain";

    public string Parameters => $"min-hits={minimumHits}";

    public void Apply(CleaningDocument document, OperationStatistics statistics)
    {
        var best = ContentDomain.General;
        var bestHits = minimumHits - 1;
        foreach (var (domain, terms) in Vocabularies)
        {
            var hits = CountHits(document.Text, terms, bestHits + 1);
            if (hits > bestHits)
            {
                best = domain;
                bestHits = hits;
            }
        }

        document.Domain = best;
    }

    private static int CountHits(ReadOnlySpan<char> text, SearchValues<string> terms, int enough)
    {
        // Counting stops once this vocabulary beats the best so far plus a margin; exact counts do not matter.
        var hits = 0;
        var limit = enough + 4;
        while (hits < limit)
        {
            var index = text.IndexOfAny(terms);
            if (index < 0) break;
            hits++;
            text = text[(index + 1)..];
        }

        return hits;
    }
}
