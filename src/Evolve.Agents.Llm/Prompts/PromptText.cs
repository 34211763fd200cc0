using System.Globalization;
using System.Text;
using Evolve.Core;

namespace Evolve.Agents.Llm;

/// <summary>Pieces every prompt uses: node descriptions, metric lists, code blocks, a rough token count.</summary>
internal static class PromptText
{
    /// <summary>Tokens a text will cost, roughly (≈ 4 characters per token for code and English); only for budgeting.</summary>
    public static int ApproxTokens(string text) => (text.Length + 3) / 4;

    public static string Number(double? value) =>
        value is { } v ? v.ToString("G6", CultureInfo.InvariantCulture) : "none";

    public static string Metrics(IReadOnlyDictionary<string, double> metrics) =>
        metrics.Count == 0
            ? "none"
            : string.Join(", ", metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={Number(m.Value)}"));

    public static string Code(string code) => "```csharp\n" + code.TrimEnd('\n') + "\n```\n";

    /// <summary>Header lines of a node: id, name, status, score, metrics, motivation, analysis.</summary>
    public static string NodeHeader(NodeView node)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Node {node.Id} (round {node.Round}) \"{node.Name}\": status {node.Status.ToWireName()}, score {Number(node.Score)}\n");
        text.Append(CultureInfo.InvariantCulture, $"Metrics: {Metrics(node.Metrics)}\n");
        if (!string.IsNullOrWhiteSpace(node.Motivation)) text.Append(CultureInfo.InvariantCulture, $"Motivation: {node.Motivation.Trim()}\n");
        if (!string.IsNullOrWhiteSpace(node.Error)) text.Append(CultureInfo.InvariantCulture, $"Error: {node.Error.Trim()}\n");
        if (!string.IsNullOrWhiteSpace(node.Analysis)) text.Append(CultureInfo.InvariantCulture, $"Analysis: {node.Analysis.Trim()}\n");
        return text.ToString();
    }

    /// <summary>The end of a long text (stdout/stderr tails are already short; this is a guard).</summary>
    public static string Tail(string text, int maxChars) =>
        text.Length <= maxChars ? text : "…" + text[^maxChars..];
}
