using System.CommandLine;
using System.Text.Json;
using Evolve.Reporting;

namespace Evolve.Cli.Commands;

/// <summary>`evolve status`: rounds, outcomes, best node, improvement over round 0, spend.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var json = CampaignCommand.JsonOption("the summary");
        return CampaignCommand.Create("status", "Show a campaign's progress: rounds, outcomes, best score, improvement, spend", [json],
            async (parse, campaign, cancellation) =>
            {
                var summary = await CampaignSummary.LoadAsync(campaign.Nodes, campaign.Location, cancellation);
                if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(summary, NodeJson.Indented));
                else foreach (var line in summary.ToLines()) Console.WriteLine(line);
                return 0;
            });
    }
}
