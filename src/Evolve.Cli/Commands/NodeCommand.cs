using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Evolve.Core;
using Evolve.Core.Transcripts;
using Evolve.Reporting;

namespace Evolve.Cli.Commands;

/// <summary>`evolve node &lt;id&gt; [--code] [--transcripts] [--json]`: everything recorded about one node.</summary>
public static class NodeCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("node") { Description = "Node id (n00012), round number (12) or `best`" };
        var code = new Option<bool>("--code") { Description = "Also print the node's program" };
        var transcripts = new Option<bool>("--transcripts") { Description = "Also print every model call of the node's round: messages, reply, tokens, cost, latency" };
        var json = CampaignCommand.JsonOption("the node (all fields)");
        return CampaignCommand.Create("node", "Show everything about one node: metrics, error, analysis, provenance, costs", [reference, code, transcripts, json],
            async (parse, campaign, cancellation) =>
            {
                var node = await NodeLookup.FindAsync(campaign.Nodes, parse.GetValue(reference)!, cancellation);
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(node, NodeJson.Indented));
                    return 0;
                }
                foreach (var line in Describe(node, verbose: true)) Console.WriteLine(line);
                if (parse.GetValue(code))
                {
                    var source = await NodeCode.ReadAsync(campaign.Storage.Directory, node, cancellation);
                    Console.WriteLine(source is null ? "(no code stored)" : $"----- code of {node.Id} -----");
                    if (source is not null) Console.Write(source.EndsWith('\n') ? source : source + "\n");
                }
                if (parse.GetValue(transcripts))
                {
                    var calls = await campaign.Storage.Transcripts.ForRoundAsync(node.Round, cancellation);
                    Console.WriteLine(calls.Count == 0
                        ? $"----- no model calls recorded for round {node.Round} (offline agents make none) -----"
                        : $"----- {calls.Count} model call{(calls.Count == 1 ? "" : "s")} of round {node.Round} -----");
                    if (calls.Count > 0) Console.Write(TranscriptFormatter.Format(calls));
                }
                return 0;
            });
    }

    /// <summary>A node as labelled lines; <paramref name="verbose"/> adds analysis, provenance, costs and times.</summary>
    public static IReadOnlyList<string> Describe(Node node, bool verbose)
    {
        var line = CampaignCommand.Line;
        var lines = new List<string>
        {
            line("node", $"{node.Id} (round {node.Round}, island {node.Island}, drawn {node.Visits}x as a root)"),
            line("name", node.Name.Length == 0 ? "-" : node.Name),
            line("status", $"{node.Status.ToWireName()} (stage reached {node.StageReached})"),
            line("score", ReportFormat.Score(node.Score)),
        };
        if (node.Error is { Length: > 0 } error) lines.Add(line("error", CampaignCommand.Indent(error)));
        lines.Add(line("parents", node.ParentIds.Count == 0 ? "none (a root)" : string.Join(", ", node.ParentIds)));
        lines.Add(line("metrics", node.Metrics.Count == 0 ? "-" : CampaignCommand.Indent(string.Join("\n",
            node.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} = {ReportFormat.Score(m.Value)}")))));
        lines.Add(line("motivation", node.Motivation.Length == 0 ? "-" : CampaignCommand.Indent(verbose ? node.Motivation : ReportFormat.FirstLine(node.Motivation, 200))));
        if (!verbose) return lines;

        lines.Add(line("analysis", string.IsNullOrWhiteSpace(node.Analysis) ? "-" : CampaignCommand.Indent(node.Analysis)));
        var p = node.Provenance;
        lines.Add(line("researcher", (p.ResearcherKind.Length == 0 ? "-" : p.ResearcherKind) + (p.Model is { Length: > 0 } model ? $", model {model}" : "")));
        lines.Add(line("sampler", p.SamplerStrategy ?? "-"));
        lines.Add(line("context", p.ContextNodeIds.Count == 0 ? "-" : string.Join(", ", p.ContextNodeIds)));
        lines.Add(line("cognition", p.CognitionItemIds.Count == 0 ? "-" : string.Join(", ", p.CognitionItemIds)));
        var c = node.Costs;
        lines.Add(line("costs", string.Create(CultureInfo.InvariantCulture,
            $"{ReportFormat.Count(c.InputTokens)} input + {ReportFormat.Count(c.OutputTokens)} output tokens, {ReportFormat.Usd(c.CostUsd)}; " +
            $"research {ReportFormat.Seconds(c.ResearchSeconds)}, evaluation {ReportFormat.Seconds(c.EvaluationSeconds)}")));
        lines.Add(line("code", node.Code is not null ? $"{node.Code.Split('\n').Length} lines inline (--code prints it)" : node.ArtifactRef is { } artifact ? $"artifact {artifact}" : "-"));
        lines.Add(line("created", ReportFormat.Time(node.CreatedAt)));
        lines.Add(line("commit", $"#{node.Sequence}"));
        return lines;
    }
}
