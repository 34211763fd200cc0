using System.CommandLine;
using Evolve.Core;
using Evolve.Reporting;

namespace Evolve.Cli.Commands;

/// <summary>`evolve lineage &lt;node&gt; [--html [--output FILE]]`: a node's ancestors back to the root.</summary>
public static class LineageCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("node") { Description = "Node id (n00012), round number (12) or `best`" };
        var html = new Option<bool>("--html") { Description = "Also write the campaign's lineage page (HTML tree, this node's ancestry highlighted)" };
        var output = new Option<string?>("--output") { Description = $"Where --html writes the page (default: <campaign>/plots/{CampaignPlots.LineagePageFileName})" };
        return CampaignCommand.Create("lineage", "Show a node's ancestors back to the root, with scores and motivations", [reference, html, output],
            async (parse, campaign, cancellation) =>
            {
                if (parse.GetValue(output) is not null && !parse.GetValue(html)) throw new UsageException("--output names the HTML page; add --html.");
                var node = await NodeLookup.FindAsync(campaign.Nodes, parse.GetValue(reference)!, cancellation);
                var ancestors = await campaign.Nodes.AncestorsAsync(node.Id, cancellation);
                var motivations = (await campaign.Nodes.GetManyAsync(ancestors.Select(a => a.Node.Id).ToList(), cancellation))
                    .ToDictionary(n => n.Id, n => (n.Motivation, n.ParentIds));

                var roots = ancestors.Where(a => motivations.TryGetValue(a.Node.Id, out var m) && m.ParentIds.Count == 0).Select(a => a.Node.Id).ToList();
                Console.WriteLine($"lineage of {node.Id}: {ancestors.Count} ancestor(s)" +
                                  (node.ParentIds.Count == 0 ? "; it is a root" : roots.Count > 0 ? $", root {string.Join(", ", roots)}" : ""));
                Console.WriteLine($"{"DEPTH",5}  {"ID",-10} {"ROUND",6} {"STATUS",-19} {"SCORE",12}  {"PARENTS",-16} MOTIVATION");
                Print(0, node.Id, node.Round, node.Status, node.Score, node.ParentIds, node.Motivation);
                foreach (var entry in ancestors)
                {
                    var (motivation, parents) = motivations.GetValueOrDefault(entry.Node.Id, ("", []));
                    Print(entry.Distance, entry.Node.Id, entry.Node.Round, entry.Node.Status, entry.Node.Score, parents, motivation);
                }

                if (parse.GetValue(html))
                {
                    var path = parse.GetValue(output) ?? CampaignPlots.DefaultLineagePagePath(campaign.Storage);
                    Console.WriteLine($"lineage page: {await CampaignPlots.WriteLineagePageAsync(campaign.Nodes, path, node.Id, cancellation)}");
                }
                return 0;
            });
    }

    private static void Print(int depth, string id, long round, NodeStatus status, double? score, IReadOnlyList<string> parents, string motivation) =>
        Console.WriteLine($"{depth,5}  {id,-10} {round,6} {status.ToWireName(),-19} {ReportFormat.Score(score),12}  " +
                          $"{string.Join(",", parents),-16} {ReportFormat.FirstLine(motivation)}");
}
