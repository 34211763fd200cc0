namespace Evolve.Core.Evaluation;

/// <summary>
/// The trusted side of a task: turns what a candidate produced in one cascade stage into validated metrics.
/// Implementations must treat the candidate's output as hostile: re-validate shapes, finiteness and constraints,
/// and recompute every score rather than trusting any number the candidate reports about itself.
/// </summary>
public interface ICandidateEvaluator
{
    /// <summary>Name used in task.yaml (`evaluator: { builtin: NAME }`) and in logs.</summary>
    string Name { get; }

    /// <summary>Evaluates one stage. Invalid output is a verdict, not an exception.</summary>
    Task<EvaluatorVerdict> EvaluateStageAsync(StageEvaluationContext context, CancellationToken cancellationToken);
}

/// <summary>Everything an evaluator may look at for one stage.</summary>
/// <param name="Stage">Stage name from the task.</param>
/// <param name="StageIndex">Zero-based stage position.</param>
/// <param name="Output">What the candidate's entry point returned in the sandbox; null when the task runs no entry point.</param>
/// <param name="CandidateSourcePath">Path of the candidate's source file (read-only for the evaluator).</param>
/// <param name="WorkDirectory">A directory for this stage the evaluator may write to.</param>
/// <param name="Timeout">Wall-clock budget for the evaluator itself (external commands are killed after it).</param>
/// <param name="PersistentDirectory">
/// A directory for this stage of this candidate that survives a retry of the stage (the work directory is emptied
/// first): where long evaluations such as training keep their checkpoints. Null when the caller offers none.
/// </param>
/// <param name="CandidateAssemblyPath">The compiled candidate, when the task compiles one; evaluators that host the candidate themselves load it.</param>
/// <param name="Progress">
/// Where a long stage reports how far it has come (the loop shows the latest report in the round's status); null when
/// nobody listens. Report at most a few times a second: each report may be written to disk.
/// </param>
public sealed record StageEvaluationContext(
    string Stage,
    int StageIndex,
    CandidateOutput? Output,
    string CandidateSourcePath,
    string WorkDirectory,
    TimeSpan Timeout,
    string? PersistentDirectory = null,
    string? CandidateAssemblyPath = null,
    IProgress<StageProgress>? Progress = null);

/// <summary>The candidate's return value as JSON, exactly as the sandboxed runner serialised it. Untrusted.</summary>
/// <param name="Json">
/// The value as JSON. Non-finite doubles appear as the strings "NaN", "Infinity" and "-Infinity"; null as JSON null.
/// </param>
/// <param name="FilePath">A file holding the same JSON, for external evaluators.</param>
public sealed record CandidateOutput(string Json, string FilePath);

/// <summary>An evaluator's conclusion for one stage.</summary>
/// <param name="Metrics">Recomputed metrics (may be non-empty even when invalid, e.g. validity = 0).</param>
/// <param name="Error">Why the output is unusable (NaN, wrong count, garbage); null when the output was well-formed.</param>
/// <param name="Detail">Readable explanation of the metrics of well-formed output (e.g. which circles overlap), shown on rejection.</param>
/// <param name="FailureStatus">
/// Status to record when the output is malformed; null means <see cref="NodeStatus.InvalidOutput"/>. An external
/// evaluator that ran past its time limit reports <see cref="NodeStatus.Timeout"/> here.
/// </param>
public sealed record EvaluatorVerdict(
    IReadOnlyDictionary<string, double> Metrics,
    string? Error,
    string? Detail = null,
    NodeStatus? FailureStatus = null)
{
    /// <summary>Well-formed output: thresholds decide whether the stage passes.</summary>
    public bool IsWellFormed => Error is null;

    public static EvaluatorVerdict WellFormed(IReadOnlyDictionary<string, double> metrics, string? detail = null) =>
        new(metrics, null, detail);

    public static EvaluatorVerdict Malformed(
        string error, IReadOnlyDictionary<string, double>? metrics = null, NodeStatus? status = null) =>
        new(metrics ?? new Dictionary<string, double>(), error, null, status);
}
