using System.Globalization;
using Evolve.Core;

namespace Evolve.Reporting;

/// <summary>A node reference that matches no node; the message lists close matches.</summary>
public sealed class NodeNotFoundException(string reference, IReadOnlyList<NodeSummary> closeMatches, string message) : Exception(message)
{
    public string Reference { get; } = reference;
    public IReadOnlyList<NodeSummary> CloseMatches { get; } = closeMatches;
}

/// <summary>
/// Turns what a user typed into a node: an exact id (<c>n00037</c>), a round number (<c>37</c>, <c>r37</c>), or
/// <c>best</c>. Anything else fails with the ids and names closest to it.
/// </summary>
public static class NodeLookup
{
    public static async Task<Node> FindAsync(INodeStore nodes, string reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var text = (reference ?? "").Trim();
        if (text.Length == 0) throw new NodeNotFoundException("", [], "The node reference is empty; give a node id such as n00012, a round number, or `best`.");

        if (await nodes.GetAsync(text, cancellationToken) is { } exact) return exact;
        if (string.Equals(text, "best", StringComparison.OrdinalIgnoreCase))
            return await nodes.BestAsync(cancellationToken)
                   ?? throw new NodeNotFoundException(text, [], "The campaign has no ok node yet, so there is no best node.");
        if (TryParseRound(text, out var round) && await nodes.GetByRoundAsync(round, cancellationToken) is { } byRound) return byRound;

        var matches = await CloseMatchesAsync(nodes, text, 5, cancellationToken);
        var message = matches.Count == 0
            ? $"No node '{text}' in campaign {nodes.CampaignId}. Use `evolve nodes` to list node ids."
            : $"No node '{text}' in campaign {nodes.CampaignId}. Did you mean: " +
              string.Join(", ", matches.Select(m => $"{m.Id} (round {m.Round}, {Quote(m.Name)})")) + "?";
        throw new NodeNotFoundException(text, matches, message);
    }

    private static bool TryParseRound(string text, out long round)
    {
        var digits = text.StartsWith('r') || text.StartsWith('R') ? text[1..] : text;
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out round);
    }

    /// <summary>Ids within a small edit distance, and nodes whose name contains the text, best first.</summary>
    public static async Task<IReadOnlyList<NodeSummary>> CloseMatchesAsync(INodeStore nodes, string text, int limit, CancellationToken cancellationToken)
    {
        var scored = new List<(NodeSummary Node, int Distance)>();
        var maxDistance = Math.Max(2, text.Length / 3);
        await foreach (var node in nodes.AllAsync(cancellationToken))
        {
            var distance = EditDistance(text.ToLowerInvariant(), node.Id.ToLowerInvariant());
            if (node.Name.Contains(text, StringComparison.OrdinalIgnoreCase)) distance = Math.Min(distance, 1);
            if (distance <= maxDistance)
                scored.Add((new NodeSummary(node.Id, node.Round, node.Name, node.Score, node.Status, node.Island, node.Visits), distance));
        }
        return scored.OrderBy(s => s.Distance).ThenBy(s => s.Node.Round).Take(limit).Select(s => s.Node).ToList();
    }

    public static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    private static string Quote(string name) => name.Length == 0 ? "unnamed" : $"\"{name}\"";
}
