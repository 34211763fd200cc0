using System.Diagnostics;
using Evolve.Core;
using Evolve.Core.Evaluation;
using Evolve.Engineering.Sandbox;
using Evolve.Tasks;
using Microsoft.Extensions.Logging;

namespace Evolve.Engineering.Cascade;

/// <summary>
/// A task's evaluation cascade: stage k runs only if stage k-1 passed (clean run, well-formed output, threshold met).
/// Each stage works in its own directory under the caller's work directory, which it empties first, so running a
/// stage again (a retried activity) gives the same answer instead of mixing two attempts.
/// </summary>
public sealed class EvaluationCascade(SandboxRunner runner, EngineeringOptions options, EvaluatorRegistry evaluators, ILogger<EvaluationCascade> logger)
{
    /// <summary>The trusted evaluator the task names (built-in or external command).</summary>
    public ICandidateEvaluator EvaluatorFor(TaskDefinition task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.Evaluator.Command is { } command
            ? new ExternalCommandEvaluator(command, task.Directory, options)
            : evaluators.Create(task.Evaluator.BuiltIn!);
    }

    /// <summary>Directory of one stage's files (run output, scratch, evaluator results).</summary>
    public static string StageDirectory(string workDirectory, TaskDefinition task, int stageIndex) =>
        Path.Combine(Path.GetFullPath(workDirectory), $"stage-{stageIndex}-{task.Stages[stageIndex].Name}");

    /// <summary>The evaluator's work directory of one stage (inside the stage directory, so a retry empties it).</summary>
    public static string EvaluatorDirectory(string workDirectory, TaskDefinition task, int stageIndex) =>
        Path.Combine(StageDirectory(workDirectory, task, stageIndex), "evaluator");

    /// <summary>Directory of one stage that a retry does not empty (checkpoints of long evaluations).</summary>
    public static string PersistentDirectory(string workDirectory, TaskDefinition task, int stageIndex) =>
        Path.Combine(Path.GetFullPath(workDirectory), $"persistent-{stageIndex}-{task.Stages[stageIndex].Name}");

    /// <summary>Runs every stage in order, stopping at the first that does not pass.</summary>
    public async Task<CascadeResult> RunAsync(TaskDefinition task, CandidateArtifacts candidate, string workDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var results = new List<StageResult>();
        for (var i = 0; i < task.Stages.Count; i++)
        {
            var stage = await RunStageAsync(task, i, candidate, workDirectory, cancellationToken).ConfigureAwait(false);
            results.Add(stage);
            if (!stage.Passed) break;
        }
        return CascadeResult.Combine(results, task.Stages.Count, task.PrimaryMetric);
    }

    /// <summary>
    /// Runs one stage: the candidate's entry point in the sandbox (or the previous stage's output when the stage
    /// reuses it), then the evaluator, then the threshold. Failures of the candidate are results, not exceptions.
    /// </summary>
    public async Task<StageResult> RunStageAsync(TaskDefinition task, int stageIndex, CandidateArtifacts candidate, string workDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentOutOfRangeException.ThrowIfNegative(stageIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(stageIndex, task.Stages.Count);
        var spec = task.Stages[stageIndex];
        var directory = StageDirectory(workDirectory, task, stageIndex);
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        var clock = Stopwatch.StartNew();

        CandidateOutput? output = null;
        string stdout = "", stderr = "";
        if (task.EntryPoint is { } entry)
        {
            var reused = spec.ReuseRun ? PreviousOutput(workDirectory, task, stageIndex) : null;
            if (reused is null)
            {
                if (candidate.AssemblyPath is null)
                {
                    throw new ArgumentException($"task '{task.Name}' has an entry point, so the candidate needs a compiled assembly (run the static check first)", nameof(candidate));
                }
                var run = await runner.RunAsync(new RunRequest(candidate.AssemblyPath, entry.Type, entry.Method, spec.Name,
                    Path.Combine(directory, "run"), spec.Timeout, spec.MemoryMb), cancellationToken).ConfigureAwait(false);
                (stdout, stderr) = (run.StdoutTail, run.StderrTail);
                if (run.Status != NodeStatus.Ok) return Finish(run.Status, new Dictionary<string, double>(), run.Error);
                reused = run.OutputPath!;
            }
            output = new CandidateOutput(await File.ReadAllTextAsync(reused, cancellationToken).ConfigureAwait(false), reused);
        }

        var evaluator = EvaluatorFor(task);
        var verdict = await evaluator.EvaluateStageAsync(
            new StageEvaluationContext(spec.Name, stageIndex, output, Path.GetFullPath(candidate.SourcePath), EvaluatorDirectory(workDirectory, task, stageIndex), spec.Timeout,
                PersistentDirectory(workDirectory, task, stageIndex),
                candidate.AssemblyPath is null ? null : Path.GetFullPath(candidate.AssemblyPath),
                StageProgressFile.Reporter(directory)),
            cancellationToken).ConfigureAwait(false);

        if (!verdict.IsWellFormed) return Finish(verdict.FailureStatus ?? NodeStatus.InvalidOutput, verdict.Metrics, verdict.Error);
        if (spec.Threshold is { } threshold && !threshold.IsMetBy(verdict.Metrics, out var reason))
        {
            return Finish(NodeStatus.RejectedAtStage, verdict.Metrics,
                $"rejected at stage '{spec.Name}': {reason}{(verdict.Detail is null ? "" : $" ({verdict.Detail})")}");
        }
        return Finish(NodeStatus.Ok, verdict.Metrics, null);

        StageResult Finish(NodeStatus status, IReadOnlyDictionary<string, double> metrics, string? error)
        {
            var result = new StageResult(spec.Name, stageIndex, status == NodeStatus.Ok, status, metrics, error, clock.Elapsed, stdout, stderr);
            logger.LogInformation("Stage {Stage} of {Task}: {Status} in {Ms:0} ms{Error}", spec.Name, task.Name, status.ToWireName(),
                clock.Elapsed.TotalMilliseconds, error is null ? "" : " - " + error);
            return result;
        }
    }

    private static string? PreviousOutput(string workDirectory, TaskDefinition task, int stageIndex)
    {
        var path = Path.Combine(StageDirectory(workDirectory, task, stageIndex - 1), "run", SandboxRunner.OutputFile);
        return File.Exists(path) ? path : null;
    }
}
