using System.Buffers;

namespace Evolve.DataCuration.Cleaning.Operations;

/// <summary>
/// Domain-aware preservation: recognises math, CS, medical and other STEM documents so later steps keep
/// their formulas, code and tables. Put it before the filters it should protect. Looks at the first
/// <paramref name="sampleCharacters"/> characters only: a document's field shows early.
/// </summary>
public sealed class DetectTechnicalDomain(int minimumHits = 3, int sampleCharacters = 2000) : ICleaningOperation
{
    private static readonly (ContentDomain Domain, string[] Terms)[] Vocabularies =
    [
        (ContentDomain.Mathematics, ["theorem", "lemma", "proof", "equation", "integral", "derivative", "polynomial", "matrix", "\\frac", "$", "corollary", "eigenvalue"]),
        (ContentDomain.ComputerScience, ["algorithm", "function", "compiler", "runtime", "```", "return ", "complexity", "database", "thread", "variable", "class "]),
        (ContentDomain.Medicine, ["patient", "clinical", "dose", "diagnosis", "treatment", "symptom", "mg/", "therapy", "disease", "trial"]),
        (ContentDomain.Science, ["molecule", "energy", "protein", "experiment", "quantum", "particle", "reaction", "wavelength", "velocity"]),
    ];

    // One multi-string search over all vocabularies; the hit is then attributed via the terms sharing its first letter.
    private static readonly SearchValues<string> AllTerms = SearchValues.Create(Vocabularies.SelectMany(v => v.Terms).ToArray(), StringComparison.OrdinalIgnoreCase);
    private static readonly Dictionary<char, (string Term, int Vocabulary)[]> ByFirstChar = Vocabularies
        .SelectMany((v, index) => v.Terms.Select(t => (Term: t, Vocabulary: index)))
        .GroupBy(t => char.ToLowerInvariant(t.Term[0]))
        .ToDictionary(g => g.Key, g => g.ToArray());

    public string Name => "detect-domain";

    public string Parameters => $"min-hits={minimumHits};sample={sampleCharacters}";

    public void Apply(CleaningDocument document, OperationStatistics statistics)
    {
        var text = document.Text.AsSpan(0, Math.Min(document.Text.Length, sampleCharacters));
        Span<int> hits = stackalloc int[Vocabularies.Length];
        var enough = minimumHits * 3; // a clear winner; counting further changes nothing
        var done = false;
        while (!done)
        {
            var at = text.IndexOfAny(AllTerms);
            if (at < 0) break;
            text = text[at..];
            foreach (var (term, vocabulary) in ByFirstChar[char.ToLowerInvariant(text[0])])
            {
                if (text.StartsWith(term, StringComparison.OrdinalIgnoreCase) && ++hits[vocabulary] >= enough) done = true;
            }

            text = text[1..];
        }

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
