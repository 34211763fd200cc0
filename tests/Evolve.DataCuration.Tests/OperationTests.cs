using System.Text;
using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Cleaning.Operations;
using Evolve.DataCuration.Deduplication;

namespace Evolve.DataCuration.Tests;

public sealed class OperationTests
{
    [Fact]
    public void Strip_markup_removes_tags_comments_scripts_and_decodes_entities()
    {
        var text = "<div class=\"post\"><p>Dose &amp; route</p><!-- ad --><script>var x = 1;</script>Fish &lt; chips<br/></div>";
        var cleaned = Curation.Clean(new StripMarkup(), text, out var stats);
        Assert.Equal("\n\nDose & route\nFish < chips\n\n", cleaned);
        Assert.Equal(1, stats.Edits);
    }

    [Fact]
    public void Strip_markup_keeps_comparisons_and_generics_in_code()
    {
        const string code = "if (a < b && c > d) return List<T>(); vector<int> v; x<y";
        Assert.Equal(code, Curation.Clean(new StripMarkup(), code, out var stats));
        Assert.Equal(0, stats.Edits);
    }

    [Fact]
    public void Boilerplate_lines_go_and_content_and_tables_stay()
    {
        var text = string.Join('\n',
            "We use cookies to improve your experience. Accept all cookies",
            "Home | About | Research | Contact",
            "The enzyme binds the substrate in the active site.",
            "| Drug | Dose | Route |",
            "© 2024 Example Network. All rights reserved.");
        var cleaned = Curation.Clean(new RemoveBoilerplate(), text, ContentDomain.Medicine);
        Assert.Equal("The enzyme binds the substrate in the active site.\n| Drug | Dose | Route |\n", cleaned);
    }

    [Fact]
    public void Pii_is_masked_and_ordinary_numbers_are_not()
    {
        var text = "Mail jane.doe@example.org or call (555) 123-4567. Host 192.168.1.20, MRN: 48213377, SSN 123-45-6789. " +
                   "Version 1.2.3 costs 42.5 dollars in 2024; 300.400.500.600 is no address.";
        var cleaned = Curation.Clean(new MaskPii(), text);
        Assert.Equal("Mail <EMAIL> or call <PHONE>. Host <IP>, MRN: <ID>, SSN <ID>. " +
                     "Version 1.2.3 costs 42.5 dollars in 2024; 300.400.500.600 is no address.", cleaned);
    }

    // Without a label in the text the pattern is only tried where a match can start; these pin that shortcut to the pattern's answers.
    [Theory]
    [InlineData("Call +1 555.123.4567 or (555) 123-4567 today.", "Call <PHONE> or <PHONE> today.")]
    [InlineData("Card 4111 1111 1111 1111, id 123-45-6789, host 10.0.0.1.", "Card <ID>, id <ID>, host <IP>.")]
    [InlineData("In 2019 the 3 groups (n 120) scored 4.5 of 10; code x555-123-4567 and 300.400.500.600 stay.",
        "In 2019 the 3 groups (n 120) scored 4.5 of 10; code x555-123-4567 and 300.400.500.600 stay.")]
    [InlineData("Tel \u0665\u0665\u0665-\u0661\u0662\u0663-\u0664\u0665\u0666\u0667 or 555-123-4567.", "Tel <PHONE> or <PHONE>.")]
    public void Pii_numbers_are_masked_where_the_pattern_matches_and_nowhere_else(string text, string expected)
    {
        Assert.Equal(expected, Curation.Clean(new MaskPii(), text));
    }

    [Fact]
    public void Mojibake_is_repaired_and_genuine_accents_are_kept()
    {
        const string original = "naïve café — “quoted” résumé, 5 °C, α ≤ β";
        var garbled = RepairEncoding.Garble(original);
        Assert.NotEqual(original, garbled);
        Assert.Equal(original, Curation.Clean(new RepairEncoding(), garbled));
        Assert.Equal(original, Curation.Clean(new RepairEncoding(), original, out var stats));
        Assert.Equal(0, stats.Edits);
    }

    [Fact]
    public void Unicode_normalisation_composes_folds_and_drops_invisibles()
    {
        var text = "cafe\u0301 \uFB01eld\u00A0\uFF21\u200B";
        Assert.Equal("café field A", Curation.Clean(new NormalizeUnicode(UnicodeForm.Nfkc), text));
        Assert.Equal("café \uFB01eld\u00A0\uFF21", Curation.Clean(new NormalizeUnicode(UnicodeForm.Nfc), text));
    }

    [Fact]
    public void Whitespace_is_collapsed_but_code_indentation_and_alignment_survive()
    {
        var text = "\r\n  Title  \r\n\r\n\r\n\r\nSome   text\there.   \n```\nx  =  1\n    return   x;\n```\n\n\n";
        var cleaned = Curation.Clean(new NormalizeWhitespace(), text, ContentDomain.ComputerScience);
        Assert.Equal("  Title\n\nSome text here.\n```\nx  =  1\n    return   x;\n```", cleaned);
    }

    [Fact]
    public void Line_filter_drops_symbol_junk_and_repeats_but_keeps_formulas_in_technical_text()
    {
        var text = string.Join('\n',
            "The integral of the polynomial is computed below.",
            "=========================",
            "$$ \\int_0^1 x^2 \\, dx = \\frac{1}{3} $$",
            "Click to expand the full derivation of the result",
            "Click to expand the full derivation of the result",
            "#$%&*@!#$%^&*()");
        var cleaned = Curation.Clean(new FilterLines(), text, ContentDomain.Mathematics);
        Assert.Equal(string.Join('\n',
            "The integral of the polynomial is computed below.",
            "$$ \\int_0^1 x^2 \\, dx = \\frac{1}{3} $$",
            "Click to expand the full derivation of the result", ""), cleaned);
    }

    [Fact]
    public void Document_filter_drops_fragments_spam_and_symbol_soup()
    {
        var filter = new FilterDocuments();
        var prose = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"word{i}")) + " and a sentence that ends here.";
        Assert.Equal(prose, Curation.Clean(filter, prose));
        Assert.Equal("<removed>", Curation.Clean(filter, "A truncated fragment of a page that stops mid"));
        Assert.Equal("<removed>", Curation.Clean(filter, string.Concat(Enumerable.Repeat("buy cheap pills now ", 60))));
        Assert.Equal("<removed>", Curation.Clean(filter, prose[..120] + new string('#', 200)));
    }

    [Fact]
    public void Domain_detection_marks_technical_documents()
    {
        var document = new CleaningDocument("The patient received a dose of the drug; clinical diagnosis and treatment followed.");
        new DetectTechnicalDomain().Apply(document, new OperationStatistics("detect-domain"));
        Assert.Equal(ContentDomain.Medicine, document.Domain);
        var general = new CleaningDocument("We went to the beach and had ice cream on a sunny day.");
        new DetectTechnicalDomain().Apply(general, new OperationStatistics("detect-domain"));
        Assert.Equal(ContentDomain.General, general.Domain);
    }

    [Fact]
    public void Minhash_similarity_separates_near_duplicates_from_different_texts()
    {
        var hasher = new MinHasher(new DeduplicationOptions());
        var a = string.Join(' ', Enumerable.Range(0, 300).Select(i => $"token{i}"));
        var b = a.Replace("token150", "changed", StringComparison.Ordinal).ToUpperInvariant() + " <p>";
        var c = string.Join(' ', Enumerable.Range(0, 300).Select(i => $"other{i}"));
        uint[] sa = new uint[hasher.SignatureLength], sb = new uint[hasher.SignatureLength], sc = new uint[hasher.SignatureLength];
        hasher.Compute(Encoding.UTF8.GetBytes(a), sa);
        hasher.Compute(Encoding.UTF8.GetBytes(b), sb);
        hasher.Compute(Encoding.UTF8.GetBytes(c), sc);
        Assert.True(MinHasher.Similarity(sa, sb) > 0.8);
        Assert.True(MinHasher.Similarity(sa, sc) < 0.1);
    }

    [Fact]
    public void Strategy_hash_is_stable_and_changes_with_parameters()
    {
        var a = new CleaningPipeline("a").Add(new FilterLines(maxSymbolRatio: 0.5));
        var b = new CleaningPipeline("b").Add(new FilterLines(maxSymbolRatio: 0.4));
        Assert.NotEqual(a.Hash, b.Hash);
        Assert.Equal(a.Hash, new CleaningPipeline("a").Add(new FilterLines(maxSymbolRatio: 0.5)).Hash);
        Assert.Throws<ArgumentException>(() => a.Add(new FilterLines()));
    }

    [Fact]
    public void Pipeline_stops_at_the_first_removal_and_counts_per_operation()
    {
        var strategy = new CleaningPipeline("t").Add(new FilterDocuments()).Add(new MaskPii());
        var stats = CleaningPipeline.CreateStatistics(strategy);
        var document = new CleaningDocument("short a@b.org");
        CleaningPipeline.Apply(strategy, document, stats);
        Assert.Equal("filter-documents", document.RemovedBy);
        Assert.Equal(1, stats[0].Removals);
        Assert.Equal(0, stats[1].Edits);
    }
}
