namespace Evolve.Agents;

/// <summary>The candidate whose novelty is in question.</summary>
/// <param name="Round">The round that produced it: an LLM novelty judge files its transcript under this round.</param>
public sealed record NoveltyCandidate(string Name, string Motivation, string Code, long? Round = null);

/// <summary>An existing node to compare against.</summary>
public sealed record NoveltyReference(string NodeId, string Name, string Motivation, string Code)
{
    public static NoveltyReference From(NodeView node) => new(node.Id, node.Name, node.Motivation, node.Code);
}

/// <summary>An existing node the candidate is very similar to.</summary>
public sealed record SimilarNode(NoveltyReference Node, double Similarity);

/// <summary>Asks whether a candidate is meaningfully new although it embeds close to existing nodes.</summary>
public sealed record NoveltyJudgeRequest(string TaskStatement, NoveltyCandidate Candidate, IReadOnlyList<SimilarNode> Similar);

public sealed record NoveltyJudgement(bool IsNovel, string Reason, string? Model, TokenUsage Usage);

/// <summary>Consulted by the novelty check only above the similarity threshold.</summary>
public interface INoveltyJudge
{
    Task<NoveltyJudgement> JudgeAsync(NoveltyJudgeRequest request, CancellationToken cancellationToken);
}

/// <summary>The novelty check's verdict, recorded on a duplicate node.</summary>
/// <param name="IsNovel">False: the candidate is recorded as a duplicate and not evaluated.</param>
/// <param name="DuplicateOf">The node it duplicates (or is closest to).</param>
/// <param name="Similarity">Cosine similarity to that node (1 for an exact duplicate); 0 when nothing was compared.</param>
/// <param name="Reason">Readable explanation.</param>
/// <param name="Usage">Tokens the novelty judge spent, if it was asked.</param>
public sealed record NoveltyVerdict(bool IsNovel, string? DuplicateOf, double Similarity, string Reason, TokenUsage? Usage = null);
