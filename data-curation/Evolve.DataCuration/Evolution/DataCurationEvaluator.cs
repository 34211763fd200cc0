using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Evolve.Core;
using Evolve.Core.Evaluation;
using Evolve.DataCuration.Evaluation;
using Evolve.DataCuration.Parquet;
using Evolve.DataCuration.Processing;
using Evolve.DataCuration.Strategies;
using Evolve.DataCuration.Synthetic;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Evolve.Core.IO;

namespace Evolve.DataCuration.Evolution;

/// <summary>
/// The trusted evaluator of the data-curation task. The sandboxed runner has already called the candidate's
/// <c>Strategy.Build()</c> (so a Build that throws, hangs or eats memory never gets here); this evaluator loads the
/// compiled strategy into a collectible context of this process, curates the stage's held sample of generated shards
/// with the real pipeline (Parquet in and out, deduplication plan, manifest), and scores the output against the
/// generator's ground truth: content precision/recall/F1, noise removed per kind, PII leaked, duplicates removed,
/// throughput and <see cref="CurationScore"/>. In the last stage an LLM judge (when configured) rates before/after
/// pairs; the issues it had not seen before are written as cognition items to judge-cognition.jsonl in the work
/// directory and listed in the verdict's detail.
/// </summary>
public sealed class DataCurationEvaluator(
    DataCurationTaskOptions options,
    EvaluationSamples samples,
    CurationJudge? judge = null,
    ILoggerFactory? loggers = null) : ICandidateEvaluator
{
    /// <summary>Where the judge's new issues are written, one cognition item (id, content, source, metadata) per line.</summary>
    public const string JudgeCognitionFile = "judge-cognition.jsonl";

    private readonly ILoggerFactory loggerFactory = loggers ?? NullLoggerFactory.Instance;

    public string Name => DataCurationTaskFolder.EvaluatorName;

    public async Task<EvaluatorVerdict> EvaluateStageAsync(StageEvaluationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.CandidateAssemblyPath is not { } assemblyPath || !File.Exists(assemblyPath))
        {
            return EvaluatorVerdict.Malformed("the compiled strategy is missing; the data-curation evaluator loads the candidate's assembly itself");
        }

        var size = context.StageIndex == 0 ? options.Quick : options.Full;
        var sample = await samples.GetAsync(size, cancellationToken);
        var source = await File.ReadAllTextAsync(context.CandidateSourcePath, cancellationToken);
        CompiledStrategy strategy;
        try
        {
            strategy = StrategyCompiler.LoadCompiled(assemblyPath, StrategySource.HashOf(source), Path.GetFileName(context.CandidateSourcePath));
        }
        catch (InvalidStrategyException e)
        {
            return EvaluatorVerdict.Malformed(e.Message, status: NodeStatus.Crash);
        }

        using (strategy)
        {
            var output = Path.Combine(context.WorkDirectory, "curated");
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
            var run = await CurateAsync(sample, output, strategy, context.Timeout, cancellationToken);
            if (run.Error is { } error) return run.Error;

            var format = new ShardFormatOptions();
            var metrics = new Dictionary<string, double>(await new CurationEvaluator(format).EvaluateAsync(sample, output, run.Elapsed, cancellationToken));
            metrics[CurationScore.Metric] = CurationScore.Compute(metrics, options.MinMegabytesPerSecond);
            var detail = Summary(metrics, strategy);
            if (judge is not null && context.StageIndex > 0 && options.JudgePairs > 0)
            {
                detail += await JudgeAsync(judge, format, sample, output, strategy, context, metrics, cancellationToken);
            }

            return EvaluatorVerdict.WellFormed(metrics, detail);
        }
    }

    private async Task<(TimeSpan Elapsed, EvaluatorVerdict? Error)> CurateAsync(string sample, string output, CompiledStrategy strategy, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var format = new ShardFormatOptions();
        var runner = new CurationRunner(format, new ShardCurator(format, TimeProvider.System, loggerFactory.CreateLogger<ShardCurator>()),
            TimeProvider.System, loggerFactory.CreateLogger<CurationRunner>());
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var watch = Stopwatch.StartNew();
        // On its own thread: a candidate operation that never returns cannot be interrupted, but the evaluation still
        // ends at the time limit (the thread is abandoned; the candidate's own code is the only thing left running).
        var run = Task.Factory.StartNew(() => runner.RunAsync(new CurationRunRequest(sample, output, strategy, Parallelism: 1), null, limit.Token),
            limit.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        CurationManifest manifest;
        try
        {
            manifest = await run.WaitAsync(timeout, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (watch.Elapsed, EvaluatorVerdict.Malformed(
                $"curating the {Path.GetFileName(sample)} sample took longer than the stage's {timeout.TotalSeconds:F0} s", status: NodeStatus.Timeout));
        }

        watch.Stop();
        if (manifest.Shards.FirstOrDefault(s => !s.IsOk) is { } failed)
        {
            return (watch.Elapsed, EvaluatorVerdict.Malformed($"the strategy failed on {failed.Shard}: {failed.Error}", status: NodeStatus.Crash));
        }

        return (watch.Elapsed, null);
    }

    private static string Summary(IReadOnlyDictionary<string, double> metrics, CompiledStrategy strategy)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{strategy.Name}: score {metrics[CurationScore.Metric]:F3}, content F1 {metrics["content_f1"]:F3} (precision {metrics["content_precision"]:F3}, recall {metrics["content_recall"]:F3}), ");
        text.Append(CultureInfo.InvariantCulture,
            $"noise removed {metrics["noise_removed"]:F3}, PII leaked {metrics["pii_leaked"]:F3}, duplicates removed {metrics["duplicates_removed"]:F3}; noise left by kind:");
        foreach (var (name, value) in metrics.Where(m => m.Key.StartsWith("noise_removed_", StringComparison.Ordinal)).OrderBy(m => m.Value))
        {
            text.Append(CultureInfo.InvariantCulture, $" {name["noise_removed_".Length..]} {1 - value:P0}");
        }

        return text.ToString();
    }

    private async Task<string> JudgeAsync(CurationJudge curationJudge, ShardFormatOptions format, string sample, string output, CompiledStrategy strategy,
        StageEvaluationContext context, Dictionary<string, double> metrics, CancellationToken cancellationToken)
    {
        var evaluator = new CurationEvaluator(format);
        var before = await evaluator.ReadTextsAsync(sample, cancellationToken);
        var after = await evaluator.ReadTextsAsync(output, cancellationToken);
        // An even spread over the sample (ids sort by shard and row), the same documents for every candidate.
        var ids = before.Keys.Order(StringComparer.Ordinal).ToList();
        var step = Math.Max(1, ids.Count / options.JudgePairs);
        var pairs = Enumerable.Range(0, Math.Min(options.JudgePairs, ids.Count))
            .Select(i => ids[i * step])
            .Select(id => new JudgedPair(id, before[id], after.GetValueOrDefault(id)))
            .ToList();
        var report = await curationJudge.JudgeAsync(pairs, options.JudgeMaxCharacters, cancellationToken);
        metrics["judge_pairs"] = report.Rated;
        metrics["judge_new_issues"] = report.NewIssues.Count;
        if (report.Rated == 0) return $"; the LLM judge gave no usable rating ({report.Unusable} pairs failed)";
        metrics["judge_score"] = report.MeanScore;

        if (report.NewIssues.Count > 0)
        {
            var lines = new StringBuilder();
            foreach (var issue in report.NewIssues)
            {
                var item = new
                {
                    id = "judge-" + StrategySource.HashOf(issue)[..10],
                    content = $"An LLM judge reviewing cleaned documents noted: {issue}",
                    source = "llm-judge",
                    metadata = new Dictionary<string, string> { ["task"] = DataCurationTaskFolder.TaskName, ["stage"] = context.Stage, ["strategy"] = strategy.Hash },
                };
                lines.Append(JsonSerializer.Serialize(item)).Append('\n');
            }

            Directory.CreateDirectory(context.WorkDirectory);
            await AtomicFile.WriteAllTextAsync(Path.Combine(context.WorkDirectory, JudgeCognitionFile), lines.ToString(), cancellationToken);
        }

        var summary = string.Create(CultureInfo.InvariantCulture,
            $"; LLM judge {report.MeanScore:F1}/10 over {report.Rated} pairs; issues: {(report.Issues.Count == 0 ? "none" : string.Join("; ", report.Issues))}");
        return report.NewIssues.Count == 0 ? summary : summary + $"; new issues (cognition items in {JudgeCognitionFile}): {string.Join("; ", report.NewIssues)}";
    }
}
