using System.Globalization;
using Microsoft.Extensions.AI;

namespace Evolve.Agents.Novelty;

/// <summary>
/// Decides whether a candidate is worth evaluating: exact duplicates (same normalised code) are rejected; near
/// duplicates (embedding similarity of motivation + code at or above the threshold) go to the novelty judge when one is
/// configured, and are rejected when none is.
/// </summary>
public sealed class NoveltyChecker(
    IEmbeddingGenerator<string, Embedding<float>> embedder,
    NoveltyOptions options,
    INoveltyJudge? judge = null)
{
    public async Task<NoveltyVerdict> CheckAsync(
        NoveltyCandidate candidate, IReadOnlyList<NoveltyReference> existing, string taskStatement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(existing);
        if (existing.Count == 0) return new NoveltyVerdict(true, null, 0, "no existing nodes to compare with");

        var candidateHash = CodeNormalizer.Hash(candidate.Code);
        foreach (var reference in existing)
        {
            if (CodeNormalizer.Hash(reference.Code) == candidateHash)
            {
                return new NoveltyVerdict(false, reference.NodeId, 1.0,
                    $"exact duplicate of {reference.NodeId}: the same code once comments and whitespace are removed");
            }
        }
        if (options.SimilarityThreshold >= 1) return new NoveltyVerdict(true, null, 0, "no exact duplicate (near-duplicate check disabled)");

        var texts = new List<string>(existing.Count + 1) { EmbeddingText(candidate.Motivation, candidate.Code) };
        texts.AddRange(existing.Select(r => EmbeddingText(r.Motivation, r.Code)));
        var embeddings = await embedder.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
        var candidateVector = embeddings[0].Vector;
        var ranked = existing
            .Select((reference, i) => new SimilarNode(reference, Cosine(candidateVector.Span, embeddings[i + 1].Vector.Span)))
            .OrderByDescending(s => s.Similarity)
            .ThenBy(s => s.Node.NodeId, StringComparer.Ordinal)
            .ToList();
        var closest = ranked[0];
        if (closest.Similarity < options.SimilarityThreshold)
        {
            return new NoveltyVerdict(true, closest.Node.NodeId, closest.Similarity,
                $"novel: closest node {closest.Node.NodeId} has similarity {F(closest.Similarity)} < threshold {F(options.SimilarityThreshold)}");
        }

        var similar = ranked.TakeWhile(s => s.Similarity >= options.SimilarityThreshold).Take(options.MaxSimilarShown).ToList();
        if (judge is null)
        {
            return new NoveltyVerdict(false, closest.Node.NodeId, closest.Similarity,
                $"near duplicate of {closest.Node.NodeId}: similarity {F(closest.Similarity)} ≥ threshold {F(options.SimilarityThreshold)} (no novelty judge configured)");
        }
        var judgement = await judge.JudgeAsync(new NoveltyJudgeRequest(taskStatement, candidate, similar), cancellationToken).ConfigureAwait(false);
        return new NoveltyVerdict(judgement.IsNovel, closest.Node.NodeId, closest.Similarity,
            judgement.IsNovel
                ? $"novel by judgement despite similarity {F(closest.Similarity)} to {closest.Node.NodeId}: {judgement.Reason}"
                : $"duplicate of {closest.Node.NodeId} by judgement (similarity {F(closest.Similarity)}): {judgement.Reason}",
            judgement.Usage);
    }

    /// <summary>What is embedded: the idea and the program, the program without comments or layout.</summary>
    public static string EmbeddingText(string motivation, string code) => motivation + "\n" + CodeNormalizer.Normalize(code);

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new InvalidOperationException($"embeddings of different lengths ({a.Length} vs {b.Length})");
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
