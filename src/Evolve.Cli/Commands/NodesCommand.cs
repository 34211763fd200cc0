using System.CommandLine;
using System.Text.Json;
using Evolve.Core;
using Evolve.Reporting;

namespace Evolve.Cli.Commands;

/// <summary>`evolve nodes [--top N] [--status S] [--json]`: the best-scoring nodes, optionally of one status.</summary>
public static class NodesCommand
{
    /// <summary>One listed node: what fits on a terminal line.</summary>
    public sealed record NodeRow(string Id, long Round, NodeStatus Status, double? Score, int Island, long Visits, IReadOnlyList<string> ParentIds, string Name, string? Error);

    public static Command Create()
    {
        var top = new Option<int>("--top") { Description = "How many nodes to list", DefaultValueFactory = _ => 20 };
        var status = new Option<string>("--status")
        {
            Description = "Only nodes of this status: all, ok, failed (any failure), or one failure: " +
                          string.Join(", ", Enum.GetValues<NodeStatus>().Where(s => s != NodeStatus.Ok).Select(s => s.ToWireName())),
            DefaultValueFactory = _ => "all",
        };
        var json = CampaignCommand.JsonOption("the nodes (one object per line)");
        return CampaignCommand.Create("nodes", "List nodes: highest score first, then unscored ones newest first", [top, status, json],
            async (parse, campaign, cancellation) =>
            {
                var count = parse.GetValue(top);
                if (count < 1) throw new UsageException($"--top must be at least 1, not {count}.");
                var filter = StatusFilter(parse.GetValue(status)!);

                var rows = new List<NodeRow>();
                long total = 0;
                await foreach (var node in campaign.Nodes.AllAsync(cancellation))
                {
                    total++;
                    if (filter(node.Status))
                        rows.Add(new NodeRow(node.Id, node.Round, node.Status, node.Score, node.Island, node.Visits, node.ParentIds, node.Name, node.Error));
                }
                // Ok nodes by score (ties: earlier round, as the store ranks them); failed ones carry no comparable score.
                var listed = rows
                    .OrderBy(r => r.Status == NodeStatus.Ok && r.Score is not null ? 0 : 1)
                    .ThenByDescending(r => r.Status == NodeStatus.Ok ? r.Score : null)
                    .ThenBy(r => r.Status == NodeStatus.Ok ? r.Round : -r.Round)
                    .Take(count)
                    .ToList();

                if (parse.GetValue(json))
                {
                    foreach (var row in listed) Console.WriteLine(JsonSerializer.Serialize(row, NodeJson.Compact));
                    return 0;
                }
                if (listed.Count == 0)
                {
                    Console.WriteLine($"No node has status {parse.GetValue(status)} (the campaign has {ReportFormat.Count(total)} nodes).");
                    return 0;
                }
                Console.WriteLine($"{"ID",-10} {"ROUND",6} {"STATUS",-19} {"SCORE",12} {"ISLAND",6} {"VISITS",6}  {"PARENTS",-16} NAME / ERROR");
                foreach (var r in listed)
                {
                    var parents = string.Join(",", r.ParentIds);
                    var text = r.Status == NodeStatus.Ok ? r.Name : ReportFormat.FirstLine(r.Error ?? r.Name, 80);
                    Console.WriteLine($"{r.Id,-10} {r.Round,6} {r.Status.ToWireName(),-19} {ReportFormat.Score(r.Score),12} {r.Island,6} {r.Visits,6}  {Cut(parents, 16),-16} {text}");
                }
                Console.WriteLine(rows.Count == total
                    ? $"{listed.Count} of {ReportFormat.Count(total)} nodes"
                    : $"{listed.Count} of {ReportFormat.Count(rows.Count)} {parse.GetValue(status)} nodes ({ReportFormat.Count(total)} in all)");
                return 0;
            });
    }

    private static Func<NodeStatus, bool> StatusFilter(string name)
    {
        var text = name.Trim().ToLowerInvariant();
        if (text == "all") return _ => true;
        if (text == "failed") return s => s != NodeStatus.Ok;
        var wanted = Parse(text);
        return s => s == wanted;
    }

    private static NodeStatus Parse(string wire)
    {
        try
        {
            return NodeStatusExtensions.ParseWireName(wire);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--status: {e.Message} Also allowed: all, failed.");
        }
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
