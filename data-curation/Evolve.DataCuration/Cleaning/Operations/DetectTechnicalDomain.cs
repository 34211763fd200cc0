using Evolve.DataCuration.Cleaning.Text;

namespace Evolve.DataCuration.Cleaning.Operations;

/// <summary>
/// Domain-aware preservation: recognises math, CS, medical and other STEM documents so later steps keep
/// their formulas, code and tables. Put it before the filters it should protect. Looks at the first
/// <paramref name="sampleCharacters"/> characters only: a document's field shows early.
/// </summary>
public sealed class DetectTechnicalDomain(int minimumHits = 3, int sampleCharacters = 2000) : ICleaningOperation
{
    internal static readonly (ContentDomain Domain, string[] Terms)[] Vocabularies =
    [
        (ContentDomain.Mathematics, ["theorem", "lemma", "proof", "equation", "integral", "derivative", "polynomial", "matrix", "\\frac", "$", "corollary", "eigenvalue"]),
        (ContentDomain.ComputerScience, ["algorithm", "function", "compiler", "runtime", "```", "return ", "complexity", "database", "thread", "variable", "class "]),
        (ContentDomain.Medicine, ["patient", "clinical", "dose", "diagnosis", "treatment", "symptom", "mg/", "therapy", "disease", "trial"]),
        (ContentDomain.Science, ["molecule", "energy", "protein", "experiment", "quantum", "particle", "reaction", "wavelength", "velocity"]),
    ];

    private static readonly AsciiTermCounter Terms = new(Vocabularies.Select(v => v.Terms).ToArray());

    public string Name => "detect-domain";

    public string Parameters => $"min-hits={minimumHits};sample={sampleCharacters}";

    public void Apply(CleaningDocument document, OperationStatistics statistics)
    {
        var text = document.Span;
        text = text[..Math.Min(text.Length, sampleCharacters)];
        Span<int> hits = stackalloc int[Vocabularies.Length];
        Terms.Count(text, hits, minimumHits * 3); // a clear winner: counting further changes nothing

        var best = ContentDomain.General;
        var bestHits = minimumHits - 1;
        for (var v = 0; v < Vocabularies.Length; v++)
        {
            if (hits[v] > bestHits)
            {
                best = Vocabularies[v].Domain;
                bestHits = hits[v];
            }
        }

        document.Domain = best;
    }
}
