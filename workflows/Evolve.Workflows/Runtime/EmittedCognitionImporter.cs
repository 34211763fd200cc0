using Evolve.Core;
using Evolve.Core.Evaluation;
using Microsoft.Extensions.Logging;

namespace Evolve.Workflows.Runtime;

/// <summary>What an evaluator's cognition files added to the store.</summary>
/// <param name="Errors">Unreadable lines, named by file and line (the other lines were still ingested).</param>
public sealed record EmittedCognitionResult(int Added, int Merged, IReadOnlyList<string> Errors);

/// <summary>
/// Ingests the cognition items an evaluator emitted for a stage (<see cref="EvaluatorCognition"/>: files ending in
/// cognition.jsonl in its work directory) into the campaign's cognition store, with the round's node as provenance.
/// Idempotent: the store keys an item by node and content, so a retried stage that writes the same items adds nothing.
/// </summary>
public sealed class EmittedCognitionImporter(ILogger<EmittedCognitionImporter> logger)
{
    public async Task<EmittedCognitionResult> ImportAsync(ICognitionStore store, string evaluatorDirectory, string nodeId, long round, string stage,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!Directory.Exists(evaluatorDirectory)) return new EmittedCognitionResult(0, 0, []);
        int added = 0, merged = 0;
        var errors = new List<string>();
        foreach (var file in Directory.EnumerateFiles(evaluatorDirectory, "*" + EvaluatorCognition.FileSuffix).Order(StringComparer.Ordinal))
        {
            var lineNumber = 0;
            foreach (var line in await File.ReadAllLinesAsync(file, cancellationToken))
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                if (!CognitionJsonl.TryParseLine(line, out var item, out var problem))
                {
                    errors.Add($"{Path.GetFileName(file)} line {lineNumber}: {problem}");
                    continue;
                }
                var metadata = new Dictionary<string, string>(item.Metadata, StringComparer.Ordinal) { ["stage"] = stage };
                if (item.Id is { } id) metadata["emitted_id"] = id;
                var result = await store.AddInsightAsync(
                    new InsightInput(item.Content, nodeId, round, string.IsNullOrEmpty(item.Source) ? "evaluator" : item.Source, metadata), cancellationToken);
                if (result.MergedIntoExisting) merged++;
                else added++;
            }
        }
        if (added + merged + errors.Count > 0)
        {
            logger.LogInformation("Round {Round} stage {Stage}: the evaluator's cognition added {Added} items, merged {Merged}{Errors}", round, stage, added, merged,
                errors.Count == 0 ? "" : $"; skipped bad lines: {string.Join("; ", errors)}");
        }
        return new EmittedCognitionResult(added, merged, errors);
    }
}
