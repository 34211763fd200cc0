using System.Globalization;
using System.Text;

namespace Evolve.DataCuration.Synthetic;

/// <summary>
/// Writes clean, varied domain prose with the technical blocks that must survive cleaning: formulas
/// (math), code (CS), dosage tables (medicine), measurement tables (other STEM). Vocabulary and numbers
/// are drawn at random per sentence, so distinct documents share few word shingles.
/// </summary>
internal sealed class DomainTextSource(Random random)
{
    public static readonly string[] Domains = ["math", "cs", "medicine", "stem"];

    private static readonly Dictionary<string, string[]> Nouns = new()
    {
        ["math"] = ["theorem", "lemma", "integral", "polynomial", "matrix", "eigenvalue", "sequence", "manifold", "group", "field", "series", "derivative", "vector space", "operator", "bound", "proof", "inequality", "function"],
        ["cs"] = ["algorithm", "compiler", "cache", "scheduler", "hash table", "thread", "database index", "runtime", "parser", "queue", "graph", "function", "allocator", "protocol", "variable", "complexity", "heap", "tree"],
        ["medicine"] = ["patient", "clinical trial", "dose", "diagnosis", "treatment", "symptom", "therapy", "cohort", "biomarker", "disease", "infection", "vaccine", "lesion", "outcome", "placebo", "enzyme", "antibody", "prescription"],
        ["stem"] = ["molecule", "protein", "reaction", "particle", "experiment", "wavelength", "velocity", "energy", "catalyst", "crystal", "sensor", "circuit", "membrane", "isotope", "spectrum", "sample", "field", "detector"],
    };

    private static readonly string[] Adjectives = ["robust", "linear", "stable", "sparse", "optimal", "standard", "recursive", "adaptive", "bounded", "critical", "primary", "symmetric", "empirical", "naïve", "efficient", "dense", "partial", "global", "local", "chronic", "acute", "thermal", "measured", "observed"];
    private static readonly string[] Verbs = ["converges", "depends on", "improves", "reduces", "determines", "exceeds", "approximates", "controls", "predicts", "limits", "increases", "stabilises", "follows from", "interacts with", "constrains", "reflects"];
    private static readonly string[] Connectors = ["In practice", "As expected", "By contrast", "Moreover", "In the second case", "Under mild assumptions", "For this reason", "In our analysis", "Notably", "Consequently", "Historically", "In most settings"];
    private static readonly string[] Specials = ["naïve café", "the “reference” result", "a 5 °C rise", "± 0.3 error", "α ≤ β", "a well-known rôle", "the Ångström scale", "Gödel’s argument", "the résumé of results", "an élite subset"];

    public string Document(string domain, out string title)
    {
        var builder = new StringBuilder();
        title = Title(domain);
        builder.Append(title).Append("\n\n");
        var paragraphs = random.Next(4, 8);
        var blockAt = random.Next(1, paragraphs);
        for (var p = 0; p < paragraphs; p++)
        {
            if (p == blockAt) builder.Append(TechnicalBlock(domain)).Append("\n\n");
            builder.Append(Paragraph(domain)).Append("\n\n");
        }

        return builder.ToString().TrimEnd();
    }

    public string Paragraph(string domain)
    {
        var sentences = random.Next(3, 7);
        var builder = new StringBuilder();
        for (var s = 0; s < sentences; s++)
        {
            if (s > 0) builder.Append(' ');
            builder.Append(Sentence(domain));
        }

        return builder.ToString();
    }

    public string Sentence(string domain)
    {
        var nouns = Nouns[domain];
        var n1 = Pick(nouns);
        var n2 = Pick(nouns);
        var value = (random.NextDouble() * 100).ToString("F" + random.Next(0, 3), CultureInfo.InvariantCulture);
        return random.Next(6) switch
        {
            0 => $"{Pick(Connectors)}, the {Pick(Adjectives)} {n1} {Pick(Verbs)} the {Pick(Adjectives)} {n2} in {value} percent of the cases.",
            1 => $"The {n1} {Pick(Verbs)} the {n2} when the {Pick(Adjectives)} {Pick(nouns)} is held near {value}.",
            2 => $"We observed that each {Pick(Adjectives)} {n1} {Pick(Verbs)} a {Pick(Adjectives)} {n2}, which matches {Pick(Specials)}.",
            3 => $"{Pick(Connectors)}, a {n1} with {random.Next(2, 900)} components {Pick(Verbs)} the {n2} and the {Pick(nouns)}.",
            4 => $"This {Pick(Adjectives)} {n1} {Pick(Verbs)} {Pick(Specials)} as the {n2} grows beyond {value}.",
            _ => $"Section {random.Next(1, 12)} shows how the {n1} {Pick(Verbs)} the {Pick(Adjectives)} {n2} across {random.Next(3, 400)} runs.",
        };
    }

    public string Title(string domain) =>
        $"{char.ToUpperInvariant(Pick(Adjectives)[0])}{Pick(Adjectives)[1..]} {Pick(Nouns[domain])} and the {Pick(Nouns[domain])}: notes {random.Next(1, 99)}";

    private string TechnicalBlock(string domain) => domain switch
    {
        "math" => $"$$ \\int_0^{{{random.Next(1, 9)}}} x^{{{random.Next(2, 6)}}} \\, dx = \\frac{{{random.Next(1, 99)}}}{{{random.Next(2, 99)}}} $$\n\nf(x) = {random.Next(2, 9)}x^2 + {random.Next(1, 9)}x - {random.Next(1, 50)}",
        "cs" => $"```python\ndef step_{random.Next(100)}(items, k={random.Next(2, 64)}):\n    total = 0\n    for i in range(len(items)):\n        total += items[i] * k\n    return total\n```",
        "medicine" => $"| Drug | Dose | Route |\n|---|---|---|\n| Amoxicillin | {random.Next(250, 875)} mg | oral |\n| Ceftriaxone | {random.Next(1, 3)} g | IV |\n| Ibuprofen | {random.Next(200, 800)} mg | oral |",
        _ => $"| Sample | Temperature (°C) | Yield (%) |\n|---|---|---|\n| A{random.Next(10)} | {random.Next(20, 90)} | {random.Next(10, 99)} |\n| B{random.Next(10)} | {random.Next(20, 90)} | {random.Next(10, 99)} |",
    };

    private string Pick(string[] options) => options[random.Next(options.Length)];
}
