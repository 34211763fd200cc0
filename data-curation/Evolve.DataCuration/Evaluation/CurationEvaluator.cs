using Evolve.DataCuration.Parquet;
using Evolve.DataCuration.Synthetic;

namespace Evolve.DataCuration.Evaluation;

/// <summary>
/// Scores a curated output against the generator's ground truth. Metric names (all fractions 0–1
/// unless noted): content_precision / content_recall / content_f1 (clean lines kept, line level,
/// whitespace-insensitive), content_docs_kept, noise_removed_KIND and noise_removed (in-document
/// noise gone from kept documents; whole-document kinds gone from the output), pii_leaked,
/// duplicates_removed, and with an elapsed time docs_per_s and mb_per_s.
/// </summary>
public sealed class CurationEvaluator(ShardFormatOptions format)
{
    public async Task<IReadOnlyDictionary<string, double>> EvaluateAsync(string truthDirectory, string outputDirectory, TimeSpan? elapsed,
        CancellationToken cancellationToken)
    {
        var output = await ReadTextsAsync(outputDirectory, cancellationToken);
        long truePositive = 0, outputLines = 0, truthLines = 0, documentsIn = 0, bytesIn = 0;
        int contentDocs = 0, contentKept = 0, piiTotal = 0, piiLeaked = 0, duplicates = 0, duplicatesRemoved = 0;
        var noiseTotal = new Dictionary<string, int>();
        var noiseRemoved = new Dictionary<string, int>();
        void Count(string kind, bool removed)
        {
            noiseTotal[kind] = noiseTotal.GetValueOrDefault(kind) + 1;
            if (removed) noiseRemoved[kind] = noiseRemoved.GetValueOrDefault(kind) + 1;
        }

        foreach (var truth in GroundTruthFiles.Read(truthDirectory))
        {
            documentsIn++;
            output.TryGetValue(truth.Id, out var kept);
            bytesIn += truth.Clean?.Length ?? 0;
            if (truth.Clean is null)
            {
                if (truth.Kind is NoiseKind.Duplicate or NoiseKind.NearDuplicate)
                {
                    duplicates++;
                    if (kept is null) duplicatesRemoved++;
                }

                Count(truth.Kind, kept is null);
                continue;
            }

            contentDocs++;
            var expected = Lines(truth.Clean);
            truthLines += expected.Count;
            if (kept is null) continue;
            contentKept++;
            var actual = Lines(kept);
            outputLines += actual.Count;
            var remaining = expected.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
            foreach (var line in actual)
            {
                if (remaining.TryGetValue(line, out var n) && n > 0)
                {
                    remaining[line] = n - 1;
                    truePositive++;
                }
            }

            foreach (var noise in truth.Noise.Where(n => n.Kind != NoiseKind.Pii)) Count(noise.Kind, !kept.Contains(noise.Marker, StringComparison.Ordinal));
            foreach (var value in truth.Pii)
            {
                piiTotal++;
                var leaked = kept.Contains(value, StringComparison.Ordinal);
                if (leaked) piiLeaked++;
                Count(NoiseKind.Pii, !leaked);
            }
        }

        var precision = outputLines == 0 ? 0 : (double)truePositive / outputLines;
        var recall = truthLines == 0 ? 0 : (double)truePositive / truthLines;
        var metrics = new Dictionary<string, double>
        {
            ["content_precision"] = precision,
            ["content_recall"] = recall,
            ["content_f1"] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall),
            ["content_docs_kept"] = contentDocs == 0 ? 0 : (double)contentKept / contentDocs,
            ["pii_leaked"] = piiTotal == 0 ? 0 : (double)piiLeaked / piiTotal,
            ["duplicates_removed"] = duplicates == 0 ? 1 : (double)duplicatesRemoved / duplicates,
            ["documents_in"] = documentsIn,
            ["documents_out"] = output.Count,
        };
        foreach (var (kind, total) in noiseTotal) metrics["noise_removed_" + kind] = (double)noiseRemoved.GetValueOrDefault(kind) / total;
        metrics["noise_removed"] = noiseTotal.Count == 0 ? 1 : (double)noiseRemoved.Values.Sum() / noiseTotal.Values.Sum();
        if (elapsed is { TotalSeconds: > 0 } time)
        {
            metrics["docs_per_s"] = documentsIn / time.TotalSeconds;
            metrics["mb_per_s"] = bytesIn / 1e6 / time.TotalSeconds;
        }

        return metrics;
    }

    /// <summary>Non-empty lines with whitespace runs collapsed: the unit content is compared in.</summary>
    internal static List<string> Lines(string text) =>
        text.Split('\n')
            .Select(l => string.Join(' ', l.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries)))
            .Where(l => l.Length > 0)
            .ToList();

    /// <summary>Every document's text by id, from the shards in <paramref name="directory"/> (an input or an output folder).</summary>
    public async Task<Dictionary<string, string>> ReadTextsAsync(string directory, CancellationToken cancellationToken)
    {
        var documents = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.GetFiles(directory, format.InputPattern).Order(StringComparer.Ordinal))
        {
            await using var reader = await ShardReader.OpenAsync(path, format, cancellationToken, allowEmpty: true);
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                var batch = await reader.ReadRowGroupAsync(g, cancellationToken);
                var ids = batch.Columns.OfType<StringColumnBuffer>().FirstOrDefault(c => c.Field.Name == format.IdColumn)
                    ?? throw new InvalidShardException($"'{Path.GetFileName(path)}' has no id column '{format.IdColumn}' to join with the ground truth.");
                for (var r = 0; r < batch.RowCount; r++)
                {
                    if (ids.Values[r] is { } id && batch.Texts[r] is { } text) documents[id] = text;
                }
            }
        }

        return documents;
    }
}
