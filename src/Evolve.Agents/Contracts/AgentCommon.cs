using Evolve.Core;

namespace Evolve.Agents;

/// <summary>Tokens one agent call (or several, summed) consumed, and what they cost; zero for offline agents.</summary>
/// <param name="CostUsd">Price of the tokens from the configured price table; 0 when the model has no price.</param>
public sealed record TokenUsage(long InputTokens = 0, long OutputTokens = 0, double CostUsd = 0)
{
    public static TokenUsage None { get; } = new();

    public long TotalTokens => InputTokens + OutputTokens;

    public TokenUsage Add(TokenUsage other) =>
        new(InputTokens + other.InputTokens, OutputTokens + other.OutputTokens, CostUsd + other.CostUsd);
}

/// <summary>
/// The slice of a node an agent sees: small enough to travel as a workflow activity payload, complete enough to
/// write a prompt from (name, motivation, metrics, analysis, code).
/// </summary>
public sealed record NodeView(
    string Id,
    long Round,
    string Name,
    string Motivation,
    string Code,
    double? Score,
    IReadOnlyDictionary<string, double> Metrics,
    NodeStatus Status,
    string? Error = null,
    string? Analysis = null,
    int StageReached = 0)
{
    /// <summary>A view of a stored node; its code must be inline (resolve <see cref="Node.ArtifactRef"/> first).</summary>
    public static NodeView From(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Code is null)
        {
            throw new ArgumentException(
                $"Node {node.Id} keeps its code in the artifact store ({node.ArtifactRef}); load the code and pass a node with Code set.",
                nameof(node));
        }
        return new NodeView(node.Id, node.Round, node.Name, node.Motivation, node.Code, node.Score, node.Metrics,
            node.Status, node.Error, node.Analysis, node.StageReached);
    }
}

/// <summary>A cognition item as shown to the researcher.</summary>
public sealed record RetrievedCognition(string Id, string Content, double Similarity)
{
    public static RetrievedCognition From(CognitionHit hit) => new(hit.Item.Id, hit.Item.Content, hit.Similarity);
}
