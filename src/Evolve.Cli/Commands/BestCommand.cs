using System.CommandLine;
using System.Text.Json;
using Evolve.Reporting;

namespace Evolve.Cli.Commands;

/// <summary>`evolve best [--code] [--json]`: the best node, or just its program.</summary>
public static class BestCommand
{
    public static Command Create()
    {
        var code = new Option<bool>("--code") { Description = "Print only the best program's source (e.g. `evolve best --code > best.cs`)" };
        var json = CampaignCommand.JsonOption("the best node (all fields)");
        return CampaignCommand.Create("best", "Show the best node of a campaign", [code, json], async (parse, campaign, cancellation) =>
        {
            var best = await campaign.Nodes.BestAsync(cancellation);
            if (best is null)
                throw new CampaignUnavailableException(
                    $"Campaign {campaign.Location.CampaignId} has no ok node yet, so there is no best node; `evolve nodes --status failed` shows what went wrong.");
            if (parse.GetValue(code))
            {
                var source = await NodeCode.ReadAsync(campaign.Storage.Directory, best, cancellation)
                             ?? throw new CampaignUnavailableException($"Node {best.Id} has no stored code.");
                Console.Write(source.EndsWith('\n') ? source : source + "\n");
                return 0;
            }
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(best, NodeJson.Indented));
                return 0;
            }
            foreach (var line in NodeCommand.Describe(best, verbose: false)) Console.WriteLine(line);
            Console.WriteLine($"`evolve best --code` prints the program; `evolve node {best.Id}` shows everything else.");
            return 0;
        });
    }
}
