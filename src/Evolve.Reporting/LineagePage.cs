using System.Globalization;
using System.Net;
using System.Text;
using Evolve.Core;
using Evolve.Core.IO;

namespace Evolve.Reporting;

/// <summary>What the lineage page shows and highlights.</summary>
/// <param name="Title">Page heading.</param>
/// <param name="FocusNodeId">The node whose ancestry is highlighted (usually the best node); null for none.</param>
/// <param name="HighlightedIds">The focus node and all of its ancestors (<see cref="INodeStore.AncestorsAsync"/>).</param>
/// <param name="BestNodeId">The campaign's best node, marked with a badge; null for none.</param>
public sealed record LineagePageOptions(string Title, string? FocusNodeId, IReadOnlySet<string> HighlightedIds, string? BestNodeId = null);

/// <summary>
/// A self-contained HTML page (no scripts, no external files) with the tree of a campaign's nodes: each node under
/// its first parent, with score, status and the first line of its motivation; further parents (crossover) are named
/// on the node. The focus node and its ancestors are highlighted, and listed root-first at the top.
/// </summary>
public static class LineagePage
{
    public static Task WriteHtmlAsync(IReadOnlyList<Node> nodes, string path, LineagePageOptions options, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAllTextAsync(path, Render(nodes, options), cancellationToken);

    public static string Render(IReadOnlyList<Node> nodes, LineagePageOptions options)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(options);
        var byId = nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var ordered = nodes.OrderBy(n => n.Round).ToList();
        // A node hangs under its first parent that is present; the rest (crossover partners) are named on it.
        var children = new Dictionary<string, List<Node>>(StringComparer.Ordinal);
        var roots = new List<Node>();
        foreach (var node in ordered)
        {
            var parent = node.ParentIds.FirstOrDefault(byId.ContainsKey);
            if (parent is null) roots.Add(node);
            else (children.TryGetValue(parent, out var list) ? list : children[parent] = []).Add(node);
        }

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Append("<title>").Append(Encode(options.Title)).Append("</title><style>").Append(Css).Append("</style></head><body>\n");
        html.Append("<h1>").Append(Encode(options.Title)).Append("</h1>\n");
        var ok = nodes.Count(n => n.Status == NodeStatus.Ok);
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">{nodes.Count} nodes: {ok} ok, {nodes.Count - ok} failed. ");
        html.Append("Each node sits under its first parent; highlighted nodes are the ancestry of the focus node.</p>\n");

        AppendPath(html, byId, options);

        html.Append("<h2>Tree</h2>\n<ul class=\"tree\">\n");
        // Iterative depth-first walk: a long campaign can nest thousands deep.
        var stack = new Stack<(Node Node, bool Close)>();
        for (var i = roots.Count - 1; i >= 0; i--) stack.Push((roots[i], false));
        while (stack.Count > 0)
        {
            var (node, close) = stack.Pop();
            if (close)
            {
                html.Append("</ul></details></li>\n");
                continue;
            }
            var kids = children.GetValueOrDefault(node.Id);
            html.Append("<li>");
            if (kids is null)
            {
                AppendNode(html, node, options);
                html.Append("</li>\n");
                continue;
            }
            html.Append("<details open><summary>");
            AppendNode(html, node, options);
            html.Append("</summary><ul>\n");
            stack.Push((node, true));
            for (var i = kids.Count - 1; i >= 0; i--) stack.Push((kids[i], false));
        }
        html.Append("</ul>\n</body></html>\n");
        return html.ToString();
    }

    private static void AppendPath(StringBuilder html, Dictionary<string, Node> byId, LineagePageOptions options)
    {
        if (options.FocusNodeId is null || !byId.TryGetValue(options.FocusNodeId, out var focus)) return;
        html.Append("<h2>Ancestry of ").Append(Encode(focus.Id)).Append("</h2>\n<table class=\"path\"><tr><th>node</th><th>round</th>");
        html.Append("<th>score</th><th>status</th><th>parents</th><th>motivation</th></tr>\n");
        foreach (var node in options.HighlightedIds.Where(byId.ContainsKey).Select(id => byId[id]).OrderBy(n => n.Round))
        {
            html.Append("<tr><td>").Append(Encode(node.Id)).Append("</td><td>").Append(node.Round.ToString(CultureInfo.InvariantCulture));
            html.Append("</td><td>").Append(Encode(ReportFormat.Score(node.Score))).Append("</td><td>").Append(Status(node.Status));
            html.Append("</td><td>").Append(Encode(string.Join(", ", node.ParentIds))).Append("</td><td>");
            html.Append(Encode(ReportFormat.FirstLine(node.Motivation, 160))).Append("</td></tr>\n");
        }
        html.Append("</table>\n");
    }

    private static void AppendNode(StringBuilder html, Node node, LineagePageOptions options)
    {
        var classes = "node" + (options.HighlightedIds.Contains(node.Id) ? " on-path" : "") + (node.Id == options.FocusNodeId ? " focus" : "");
        html.Append("<span class=\"").Append(classes).Append("\" id=\"").Append(Encode(node.Id)).Append("\">");
        html.Append("<b>").Append(Encode(node.Id)).Append("</b> ");
        html.Append("<span class=\"score\">").Append(Encode(ReportFormat.Score(node.Score))).Append("</span> ");
        html.Append(Status(node.Status));
        if (node.Id == options.BestNodeId) html.Append(" <span class=\"best\">best</span>");
        if (node.Name.Length > 0) html.Append(" <span class=\"name\">").Append(Encode(node.Name)).Append("</span>");
        var motivation = ReportFormat.FirstLine(node.Motivation, 140);
        if (motivation.Length > 0) html.Append(" <span class=\"why\">").Append(Encode(motivation)).Append("</span>");
        if (node.ParentIds.Count > 1) html.Append(" <span class=\"also\">also from ").Append(Encode(string.Join(", ", node.ParentIds.Skip(1)))).Append("</span>");
        if (node.Error is { Length: > 0 } error) html.Append(" <span class=\"error\">").Append(Encode(ReportFormat.FirstLine(error, 140))).Append("</span>");
        html.Append("</span>");
    }

    private static string Status(NodeStatus status) =>
        $"<span class=\"status {(status == NodeStatus.Ok ? "ok" : "failed")}\">{status.ToWireName()}</span>";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em; color: #222; }
        h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
        .meta { color: #555; }
        ul.tree, ul.tree ul { list-style: none; margin: 0; padding-left: 1.1em; border-left: 1px solid #ddd; }
        ul.tree { border-left: none; padding-left: 0; }
        li { margin: 2px 0; white-space: nowrap; }
        summary { cursor: pointer; }
        .node { padding: 1px 4px; border-radius: 3px; }
        .on-path { background: #fff3c4; }
        .focus { background: #ffd75e; outline: 2px solid #d9a400; }
        .score { font-family: ui-monospace, monospace; }
        .status { font-size: 0.85em; padding: 0 4px; border-radius: 3px; }
        .status.ok { background: #dcf2dc; color: #1c5e1c; }
        .status.failed { background: #f7d9d9; color: #8a1c1c; }
        .name { color: #333; } .why { color: #666; } .also { color: #6a4c93; font-size: 0.9em; }
        .error { color: #a33; font-size: 0.9em; }
        .best { font-size: 0.85em; padding: 0 4px; border-radius: 3px; background: #d9a400; color: #fff; font-weight: bold; }
        table.path { border-collapse: collapse; }
        table.path td, table.path th { border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
        table.path th { background: #f4f4f4; }
        """;
}
