using System.CommandLine;
using Evolve.Reporting;

namespace Evolve.Cli.Commands;

/// <summary>`evolve plot [--output FILE]`: the score-over-rounds PNG; prints its path.</summary>
public static class PlotCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--output") { Description = $"PNG file to write (default: <campaign>/plots/{CampaignPlots.ScorePlotFileName})" };
        var title = new Option<string?>("--title") { Description = "Chart title (default: campaign id, rounds and best score)" };
        return CampaignCommand.Create("plot", "Plot node scores and the best score so far over rounds (PNG)", [output, title],
            async (parse, campaign, cancellation) =>
            {
                var path = parse.GetValue(output) ?? CampaignPlots.DefaultScorePlotPath(campaign.Storage);
                if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                    throw new UsageException($"--output must name a .png file, not '{path}'.");
                Console.WriteLine(await CampaignPlots.WriteScorePlotAsync(campaign.Nodes, path, parse.GetValue(title), cancellation));
                return 0;
            });
    }
}
