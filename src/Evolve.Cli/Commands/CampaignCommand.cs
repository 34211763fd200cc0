using System.CommandLine;
using Evolve.Reporting;

namespace Evolve.Cli.Commands;

/// <summary>A command-line value the command cannot use (exit code 2); the message says what is allowed.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The plumbing every read-only campaign command shares: <c>--campaign-dir</c> / <c>--campaign-id</c>, opening the
/// campaign, and turning "nothing to read" into a clear message. Exit codes: 0 done, 1 the campaign cannot answer
/// (missing folder, no nodes yet, unknown node), 2 a command-line value is wrong.
/// </summary>
public static class CampaignCommand
{
    public const int CampaignProblem = 1;
    public const int UsageProblem = 2;

    public static Command Create(string name, string description, IEnumerable<Symbol> symbols,
        Func<ParseResult, CampaignReader, CancellationToken, Task<int>> run)
    {
        var directory = new Option<string?>("--campaign-dir")
        {
            Description = $"Campaign folder (default: the most recently written campaign under {CampaignLocator.DefaultCampaignsRoot}/)",
        };
        var campaignId = new Option<string?>("--campaign-id") { Description = "Campaign id; needed only when one folder holds several campaigns" };
        var command = new Command(name, description) { directory, campaignId };
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Option option: command.Options.Add(option); break;
                case Argument argument: command.Arguments.Add(argument); break;
                default: throw new ArgumentException($"Cannot add {symbol.GetType().Name} '{symbol.Name}' to a command.", nameof(symbols));
            }
        }

        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                using var campaign = await CampaignReader.OpenAsync(parse.GetValue(directory), parse.GetValue(campaignId), cancellationToken: cancellation);
                return await run(parse, campaign, cancellation);
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine(e.Message);
                return UsageProblem;
            }
            catch (Exception e) when (e is CampaignUnavailableException or NodeNotFoundException or FileNotFoundException)
            {
                Console.Error.WriteLine(e.Message);
                return CampaignProblem;
            }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                Console.Error.WriteLine($"Cannot read the campaign database: {e.Message}");
                return CampaignProblem;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"Cannot write the output: {e.Message}");
                return CampaignProblem;
            }
        });
        return command;
    }

    public static Option<bool> JsonOption(string what) => new("--json") { Description = $"Print {what} as JSON instead of text" };

    /// <summary>Indents every line of a multi-line value under its label.</summary>
    public static string Indent(string text, int width = 13) =>
        string.Join("\n" + new string(' ', width), text.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')));

    public static string Line(string label, string value) => $"{label,-12} {value}";
}
