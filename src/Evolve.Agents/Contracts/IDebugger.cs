namespace Evolve.Agents;

/// <summary>One repair attempt of a candidate that did not compile or crashed.</summary>
/// <param name="TaskStatement">The task's problem statement.</param>
/// <param name="Code">The failing program.</param>
/// <param name="Diagnostics">Compiler diagnostics as "(line,col): id: message"; empty for runtime failures.</param>
/// <param name="RuntimeError">The runtime error and stack trace; null for compile failures.</param>
/// <param name="Attempt">1 for the first repair attempt of this candidate, 2 for the next, …</param>
/// <param name="Round">The round being produced.</param>
public sealed record DebugRequest(
    string TaskStatement,
    string Code,
    IReadOnlyList<string> Diagnostics,
    string? RuntimeError,
    int Attempt,
    long Round);

/// <summary>A repaired program, or why there is none. Either way the attempt is recorded on the node.</summary>
public sealed record DebugOutcome(string? RepairedCode, string? FailureReason, int Attempt, string? Model, TokenUsage Usage)
{
    public bool Repaired => RepairedCode is not null;

    public static DebugOutcome Success(string code, int attempt, string? model = null, TokenUsage? usage = null) =>
        new(code, null, attempt, model, usage ?? TokenUsage.None);

    public static DebugOutcome Failure(string reason, int attempt, string? model = null, TokenUsage? usage = null) =>
        new(null, reason, attempt, model, usage ?? TokenUsage.None);
}

public interface IDebugger
{
    Task<DebugOutcome> RepairAsync(DebugRequest request, CancellationToken cancellationToken);
}
