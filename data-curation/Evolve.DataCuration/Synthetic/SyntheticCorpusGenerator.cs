using System.Globalization;
using System.Text;
using System.Text.Json;
using Evolve.DataCuration.Cleaning.Operations;
using Evolve.DataCuration.Processing;
using Parquet;
using Parquet.Schema;
using Evolve.Core.IO;

namespace Evolve.DataCuration.Synthetic;

/// <param name="Shards">Number of shard files.</param>
/// <param name="DocumentsPerShard">Rows per shard.</param>
/// <param name="Seed">Same seed, same bytes.</param>
/// <param name="RowGroupSize">Rows per row group.</param>
/// <param name="NoiseScale">Multiplies every noise probability (0 = clean corpus).</param>
public sealed record SyntheticCorpusOptions(int Shards, int DocumentsPerShard, int Seed = 1, int RowGroupSize = 2000, double NoiseScale = 1.0);

/// <summary>
/// Writes Nemotron-CC-like shards (id, warc_record_id, url, text, language, quality_label,
/// quality_score, token_count) of math, CS, medical and other STEM documents with injected noise, and
/// records for every document its clean version and each piece of noise (see <see cref="TruthRecord"/>).
/// </summary>
public sealed class SyntheticCorpusGenerator
{
    public static readonly string[] Columns = ["id", "warc_record_id", "url", "text", "language", "quality_label", "quality_score", "token_count"];

    private static readonly string[] CookieLines =
    [
        "We use cookies to improve your experience. Accept all cookies",
        "This site uses cookies. By continuing to browse you agree to our Cookie Policy.",
        "Cookie settings | Accept cookies | Manage preferences",
    ];

    private static readonly string[] NavigationLines =
    [
        "Home | About | Research | Contact",
        "Skip to main content",
        "Home » Articles » Science » Current",
        "Share on Facebook Share on Twitter",
        "Subscribe to our newsletter for weekly updates",
        "© 2024 Science Daily Network. All rights reserved.",
        "Privacy Policy | Terms of Use | Sitemap",
        "Related posts",
    ];

    private static readonly string[] JunkLines = ["==========================", "*** *** *** *** ***", "#$%&*@!#$%^&*()", ">>>>>>>>>>>>>>>>>>>>>>", "~~~~~~~~~~~~~~~~~~~~~~"];
    private static readonly string[] Labels = ["high", "medium-high", "medium", "medium-low", "low"];
    private static readonly string[] Sites = ["mathblog.example", "cs-notes.example", "medline-review.example", "physicsforum.example", "labjournal.example"];

    public async Task<IReadOnlyList<string>> GenerateAsync(string outputDirectory, SyntheticCorpusOptions options, CancellationToken cancellationToken)
    {
        if (options.Shards < 1 || options.DocumentsPerShard < 1) throw new ArgumentException("Generate at least one shard with at least one document.");
        Directory.CreateDirectory(Path.Combine(outputDirectory, GroundTruthFiles.Folder));
        var random = new Random(options.Seed);
        var text = new DomainTextSource(random);
        var pool = new List<(string Id, string Raw, string Clean, string Domain)>(); // earlier documents to duplicate
        var paths = new List<string>();
        for (var s = 0; s < options.Shards; s++)
        {
            var name = $"shard-{s:D5}.parquet";
            var documents = new List<(string Id, string Text, string Domain)>(options.DocumentsPerShard);
            var truth = new StringBuilder();
            for (var r = 0; r < options.DocumentsPerShard; r++)
            {
                var id = $"doc-{options.Seed}-{s:D5}-{r:D6}";
                var record = NextDocument(id, random, text, pool, options.NoiseScale, out var raw);
                documents.Add((id, raw, record.Domain));
                truth.Append(JsonSerializer.Serialize(record, TruthRecord.Json)).Append('\n');
            }

            var path = Path.Combine(outputDirectory, name);
            await WriteShardAsync(path, documents, options, random, cancellationToken);
            await AtomicFile.WriteAllTextAsync(GroundTruthFiles.PathFor(outputDirectory, name), truth.ToString(), cancellationToken);
            paths.Add(path);
        }

        return paths;
    }

    private static TruthRecord NextDocument(string id, Random random, DomainTextSource text, List<(string Id, string Raw, string Clean, string Domain)> pool,
        double scale, out string raw)
    {
        var roll = random.NextDouble();
        if (pool.Count > 0 && roll < 0.06 * scale)
        {
            var original = pool[random.Next(pool.Count)];
            raw = original.Raw;
            return new TruthRecord { Id = id, Domain = original.Domain, Kind = NoiseKind.Duplicate, DuplicateOf = original.Id };
        }

        if (pool.Count > 0 && roll < 0.11 * scale)
        {
            var original = pool[random.Next(pool.Count)];
            raw = NearCopy(original.Clean, random);
            return new TruthRecord { Id = id, Domain = original.Domain, Kind = NoiseKind.NearDuplicate, DuplicateOf = original.Id };
        }

        var domain = DomainTextSource.Domains[random.Next(DomainTextSource.Domains.Length)];
        if (roll < 0.15 * scale)
        {
            var source = text.Paragraph(domain);
            raw = source[..random.Next(40, Math.Min(150, source.Length))];
            return new TruthRecord { Id = id, Domain = domain, Kind = NoiseKind.Fragment, Noise = [new NoiseRecord(NoiseKind.Fragment, raw)] };
        }

        if (roll < 0.18 * scale)
        {
            var words = new[] { "buy", "cheap", "pills", "online", "best", "price", "now" };
            var spam = new StringBuilder();
            for (var i = 0; i < 150; i++) spam.Append(words[random.Next(words.Length)]).Append(' ');
            raw = spam.ToString().Trim();
            return new TruthRecord { Id = id, Domain = "spam", Kind = NoiseKind.Spam, Noise = [new NoiseRecord(NoiseKind.Spam, raw[..40])] };
        }

        var clean = text.Document(domain, out _);
        var noise = new List<NoiseRecord>();
        var pii = new List<string>();
        var lines = clean.Split('\n').ToList();
        var cleanLines = lines.ToList();
        InjectNoise(lines, cleanLines, random, scale, noise, pii);
        raw = string.Join('\n', lines);
        var truthText = string.Join('\n', cleanLines);
        pool.Add((id, raw, truthText, domain));
        if (pool.Count > 500) pool.RemoveAt(random.Next(pool.Count));
        return new TruthRecord { Id = id, Domain = domain, Kind = "content", Clean = truthText, Noise = noise, Pii = pii };
    }

    /// <summary>Adds noise to <paramref name="lines"/>; <paramref name="clean"/> gets what a perfect cleaner would leave instead.</summary>
    private static void InjectNoise(List<string> lines, List<string> clean, Random random, double scale, List<NoiseRecord> noise, List<string> pii)
    {
        // Sentence-level noise first, while lines and clean lines still correspond one to one.
        if (random.NextDouble() < 0.3 * scale)
        {
            var (email, phone) = ($"{Pick(random, ["john.smith", "m.garcia", "lee_chen", "a.kowalski"])}{random.Next(10, 99)}@{Pick(random, ["example.org", "mail.example.com", "clinic.example.net"])}",
                $"({random.Next(200, 999)}) {random.Next(200, 999)}-{random.Next(1000, 9999)}");
            var (ip, mrn) = ($"{random.Next(11, 223)}.{random.Next(0, 255)}.{random.Next(0, 255)}.{random.Next(1, 254)}", $"{random.Next(10000000, 99999999)}");
            var variant = random.Next(3);
            var (noisy, masked, values) = variant switch
            {
                0 => ($"For questions contact the author at {email} or call {phone}.", $"For questions contact the author at {MaskPii.EmailToken} or call {MaskPii.PhoneToken}.", new[] { email, phone }),
                1 => ($"The request came from host {ip} and was logged.", $"The request came from host {MaskPii.IpToken} and was logged.", new[] { ip }),
                _ => ($"Patient record MRN: {mrn} was anonymised before analysis.", $"Patient record MRN: {MaskPii.IdToken} was anonymised before analysis.", new[] { mrn }),
            };
            var at = ParagraphLine(lines, random);
            lines[at] += " " + noisy;
            clean[at] += " " + masked;
            pii.AddRange(values);
            foreach (var value in values) noise.Add(new NoiseRecord(NoiseKind.Pii, value));
        }

        if (random.NextDouble() < 0.2 * scale)
        {
            var at = ParagraphLine(lines, random);
            var sentence = "Remarks on the naïve café model — “quoted” résumé, 5 °C, α ≤ β.";
            var garbled = RepairEncoding.Garble(sentence);
            lines[at] += " " + garbled;
            clean[at] += " " + sentence;
            noise.Add(new NoiseRecord(NoiseKind.Mojibake, garbled));
        }

        if (random.NextDouble() < 0.3 * scale)
        {
            var at = ParagraphLine(lines, random);
            var space = lines[at].IndexOf(' ', StringComparison.Ordinal);
            lines[at] = $"<p>{lines[at][..(space + 1)]}<span class=\"hl\">{lines[at][(space + 1)..]}</span></p><br/>";
            lines.Insert(0, "<div class=\"article-body\">");
            lines.Add("</div>");
            clean.Insert(0, "");
            clean.Add("");
            noise.Add(new NoiseRecord(NoiseKind.Html, "<div class=\"article-body\">"));
            noise.Add(new NoiseRecord(NoiseKind.Html, "<p>"));
            noise.Add(new NoiseRecord(NoiseKind.Html, "<br/>"));
        }

        if (random.NextDouble() < 0.4 * scale)
        {
            var cookie = Pick(random, CookieLines);
            var navigation = Pick(random, NavigationLines);
            lines.Insert(0, navigation);
            clean.Insert(0, "");
            if (random.Next(2) == 0)
            {
                lines.Insert(0, cookie);
                clean.Insert(0, "");
            }
            else
            {
                lines.Add(cookie);
                clean.Add("");
            }

            noise.Add(new NoiseRecord(NoiseKind.Boilerplate, navigation));
            noise.Add(new NoiseRecord(NoiseKind.Boilerplate, cookie));
        }

        if (random.NextDouble() < 0.15 * scale)
        {
            var junk = Pick(random, JunkLines);
            var at = random.Next(1, lines.Count);
            lines.Insert(at, junk);
            clean.Insert(at, "");
            noise.Add(new NoiseRecord(NoiseKind.JunkLines, junk));
        }
    }

    private static int ParagraphLine(List<string> lines, Random random)
    {
        // A prose line (not the title, a table, code or formula) to attach sentence-level noise to.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var at = random.Next(1, lines.Count);
            var line = lines[at];
            if (line.Length > 80 && !line.StartsWith('|') && !line.StartsWith(' ') && !line.Contains('$') && !line.Contains('=')) return at;
        }

        return 0;
    }

    private static string NearCopy(string clean, Random random)
    {
        // A re-post of the same article: a few words changed and a different site chrome around it.
        var words = clean.Split(' ');
        for (var i = 0; i < Math.Max(1, words.Length / 40); i++) words[random.Next(words.Length)] = Pick(random, ["new", "revised", "key", "main", "updated"]);
        return Pick(random, NavigationLines) + "\n" + string.Join(' ', words);
    }

    private static async Task WriteShardAsync(string path, List<(string Id, string Text, string Domain)> documents, SyntheticCorpusOptions options, Random random,
        CancellationToken cancellationToken)
    {
        var fields = new DataField[]
        {
            new("id", typeof(string), isNullable: false), new("warc_record_id", typeof(string), isNullable: true), new("url", typeof(string), isNullable: true),
            new("text", typeof(string), isNullable: true), new("language", typeof(string), isNullable: true), new("quality_label", typeof(string), isNullable: true),
            new("quality_score", typeof(double), isNullable: true), new("token_count", typeof(long), isNullable: false),
        };
        var schema = new ParquetSchema(fields);
        var temp = AtomicFile.TempPathFor(path);
        await using (var stream = File.Create(temp))
        {
            await using var writer = await ParquetWriter.CreateAsync(schema, stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }, false, cancellationToken);
            for (var start = 0; start < documents.Count; start += options.RowGroupSize)
            {
                var group = documents.Skip(start).Take(options.RowGroupSize).ToList();
                using var rowGroup = writer.CreateRowGroup();
                await rowGroup.WriteAsync(fields[0], group.Select(d => (string?)d.Id).ToList(), null);
                await rowGroup.WriteAsync(fields[1], group.Select(_ => (string?)$"<urn:uuid:{Guid(random)}>").ToList(), null);
                await rowGroup.WriteAsync(fields[2], group.Select(d => (string?)$"https://{Pick(random, Sites)}/{d.Domain}/{d.Id}").ToList(), null);
                await rowGroup.WriteAsync(fields[3], group.Select(d => (string?)d.Text).ToList(), null);
                await rowGroup.WriteAsync(fields[4], group.Select(_ => (string?)"en").ToList(), null);
                await rowGroup.WriteAsync(fields[5], group.Select(_ => (string?)Pick(random, Labels)).ToList(), null);
                await rowGroup.WriteAsync<double>(fields[6], group.Select(_ => (double?)Math.Round(random.NextDouble() * 5, 3)).ToArray().AsMemory(), null, null, cancellationToken);
                await rowGroup.WriteAsync<long>(fields[7], group.Select(d => (long)(d.Text.Length / 4)).ToArray().AsMemory(), null, null, cancellationToken);
            }
        }

        AtomicFile.Commit(temp, path);
    }

    private static string Guid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new System.Guid(bytes).ToString();
    }

    private static string Pick(Random random, string[] options) => options[random.Next(options.Length)];
}
