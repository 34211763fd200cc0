using System.Collections;
using Evolve.Core;
using Evolve.Core.Evaluation;
using Evolve.Engineering.Sandbox;

namespace Evolve.Engineering.Cascade;

/// <summary>
/// A task's evaluator given as a command line, so evaluators written for other frameworks plug in:
/// <c>python3 evaluate.py {candidate} {results}</c>. It runs through <c>sh -c</c> in the task folder, with the stage's
/// time limit (whole process group killed after it). Metrics come from the {results} file when the command wrote
/// one, otherwise from the JSON object it printed last on stdout.
/// </summary>
internal sealed class ExternalCommandEvaluator(string command, string taskDirectory, EngineeringOptions options) : ICandidateEvaluator
{
    public const string MetricsFile = "metrics.json";

    public string Name => $"command: {command}";

    public async Task<EvaluatorVerdict> EvaluateStageAsync(StageEvaluationContext context, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(context.WorkDirectory);
        var resultsPath = Path.Combine(context.WorkDirectory, MetricsFile);
        File.Delete(resultsPath);
        var line = command
            .Replace("{candidate}", Quote(context.CandidateSourcePath), StringComparison.Ordinal)
            .Replace("{results}", Quote(resultsPath), StringComparison.Ordinal)
            .Replace("{output}", Quote(context.Output?.FilePath ?? ""), StringComparison.Ordinal)
            .Replace("{stage}", Quote(context.Stage), StringComparison.Ordinal)
            .Replace("{workdir}", Quote(context.WorkDirectory), StringComparison.Ordinal);

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables()) environment[(string)entry.Key] = entry.Value as string ?? "";

        var outcome = await new GroupProcess(options).RunAsync(new GroupProcessSpec(
            "/bin/sh", ["-c", line], taskDirectory, environment, context.Timeout, null), cancellationToken).ConfigureAwait(false);

        if (outcome.TimedOut)
        {
            return EvaluatorVerdict.Malformed(
                $"the evaluator command ran past the {context.Timeout.TotalSeconds:0.###} s limit of stage '{context.Stage}' and was killed: {command}",
                status: NodeStatus.Timeout);
        }

        string source;
        string? text;
        if (File.Exists(resultsPath) && new FileInfo(resultsPath).Length > 0)
        {
            source = $"the results file {resultsPath}";
            text = File.ReadAllText(resultsPath);
        }
        else
        {
            source = "its standard output";
            text = MetricsJson.FindObjectInOutput(outcome.StdoutTail) ?? (outcome.StdoutTail.Trim().Length > 0 ? outcome.StdoutTail : null);
        }

        if (text is null)
        {
            return EvaluatorVerdict.Malformed(outcome.ExitCode == 0
                ? $"the evaluator command wrote no metrics (no results file and nothing on stdout): {command}"
                : $"the evaluator command failed with exit code {outcome.ExitCode} and wrote no metrics: {Tail(outcome.StderrTail)}");
        }
        if (!MetricsJson.TryParse(text, out var metrics, out var reportedError, out var problem))
        {
            var exit = outcome.ExitCode == 0 ? "" : $" (exit code {outcome.ExitCode}; stderr: {Tail(outcome.StderrTail)})";
            return EvaluatorVerdict.Malformed($"the evaluator's metrics in {source} are unusable: {problem}; it printed: {Tail(text)}{exit}");
        }
        if (metrics.Count == 0) return EvaluatorVerdict.Malformed($"the evaluator reported an error: {reportedError}");
        return EvaluatorVerdict.WellFormed(metrics, reportedError);
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Tail(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length <= 300 ? trimmed : "…" + trimmed[^300..];
    }
}
