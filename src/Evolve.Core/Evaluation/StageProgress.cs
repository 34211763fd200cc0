namespace Evolve.Core.Evaluation;

/// <summary>
/// How far a long evaluation stage (training, curating a large sample) has come; reported by evaluators through
/// <see cref="StageEvaluationContext.Progress"/> and shown in the round workflow's custom status while the stage runs.
/// </summary>
/// <param name="Summary">One readable line, e.g. "mqar step 120/400 loss 2.3100 tokens/s 5400".</param>
/// <param name="Step">Steps done (training steps, documents, shards), when the evaluator counts any.</param>
/// <param name="TotalSteps">Steps the stage will take, when known.</param>
/// <param name="Values">Named figures (loss, tokens_per_s, …) for tools that plot or compare them.</param>
public sealed record StageProgress(
    string Summary,
    long? Step = null,
    long? TotalSteps = null,
    IReadOnlyDictionary<string, double>? Values = null)
{
    /// <summary>When the evaluator reported it (set by the reporter that stores it).</summary>
    public DateTimeOffset? ReportedAt { get; init; }
}

/// <summary>
/// Cognition items an evaluator may emit: any file in its <see cref="StageEvaluationContext.WorkDirectory"/> whose
/// name ends with <see cref="FileSuffix"/> (e.g. <c>judge-cognition.jsonl</c>), one JSON object per line in the format
/// of a task's cognition.jsonl (<c>content</c>, optional <c>source</c> and <c>metadata</c>). The loop ingests them
/// into the campaign's cognition store after the stage, with the round's node as provenance (idempotently).
/// Write the file atomically (temp, then rename).
/// </summary>
public static class EvaluatorCognition
{
    public const string FileSuffix = "cognition.jsonl";
}
