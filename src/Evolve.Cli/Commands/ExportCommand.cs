using System.CommandLine;
using Evolve.Reporting;

namespace Evolve.Cli.Commands;

/// <summary>`evolve export --format jsonl|parquet [--output FILE]`: every node, one line or row each.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--format")
        {
            Description = $"File format: {string.Join(" or ", ExportFormats.Names)}", DefaultValueFactory = _ => "jsonl",
        };
        var output = new Option<string?>("--output") { Description = "File to write (default: <campaign>/exports/nodes.<format>)" };
        return CampaignCommand.Create("export", "Export every node of a campaign (all fields) to JSONL or Parquet", [format, output],
            async (parse, campaign, cancellation) =>
            {
                ExportFormat chosen;
                try
                {
                    chosen = ExportFormats.Parse(parse.GetValue(format)!);
                }
                catch (FormatException e)
                {
                    throw new UsageException("--format: " + e.Message);
                }
                var path = parse.GetValue(output) ?? Path.Combine(campaign.Location.Directory, "exports", "nodes" + chosen.FileExtension());
                var result = await CampaignExporter.ExportAsync(campaign.Nodes, chosen, path, cancellation);
                Console.WriteLine($"exported {ReportFormat.Count(result.Rows)} nodes ({result.Format.Name()}) to {result.Path}");
                return 0;
            });
    }
}
