namespace Evolve.Core.Evaluation;

/// <summary>What one stage of the evaluation cascade concluded about a candidate.</summary>
/// <param name="Stage">The stage name from the task (e.g. "validity").</param>
/// <param name="StageIndex">Zero-based position of the stage in the task's cascade.</param>
/// <param name="Passed">True when the stage ran cleanly and met its threshold, so the next stage may run.</param>
/// <param name="Status">
/// <see cref="NodeStatus.Ok"/> when passed; otherwise the failure class (Timeout, Crash, InvalidOutput,
/// RejectedAtStage, …) that the node records if this is where the cascade stops.
/// </param>
/// <param name="Metrics">Trusted metrics recomputed by the evaluator (never the candidate's own claims).</param>
/// <param name="Error">Readable explanation of a failure; null when passed.</param>
/// <param name="Duration">Wall-clock time of the whole stage (run + evaluation).</param>
/// <param name="StdoutTail">Last part of the candidate's (or external evaluator's) standard output, sanitised.</param>
/// <param name="StderrTail">Last part of standard error, sanitised.</param>
public sealed record StageResult(
    string Stage,
    int StageIndex,
    bool Passed,
    NodeStatus Status,
    IReadOnlyDictionary<string, double> Metrics,
    string? Error,
    TimeSpan Duration,
    string StdoutTail = "",
    string StderrTail = "");
