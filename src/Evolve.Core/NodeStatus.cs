namespace Evolve.Core;

/// <summary>Outcome of one candidate, recorded on its node. Stored by name, so never renumber.</summary>
public enum NodeStatus
{
    /// <summary>Evaluated through every stage it was entitled to.</summary>
    Ok,
    /// <summary>Roslyn compilation failed (after the debug budget, if any).</summary>
    CompileError,
    /// <summary>Compiled, but a task rule (forbidden API, size, causality, …) rejected it.</summary>
    StaticCheckFailed,
    /// <summary>Ran past its wall-clock budget; the process tree was killed.</summary>
    Timeout,
    /// <summary>The candidate process threw or exited abnormally.</summary>
    Crash,
    /// <summary>Exceeded its memory cap.</summary>
    OutOfMemory,
    /// <summary>Ran, but the trusted evaluator rejected what it produced (NaN, wrong shape, garbage).</summary>
    InvalidOutput,
    /// <summary>Passed earlier stages but fell below a stage threshold (the stage is recorded on the node).</summary>
    RejectedAtStage,
    /// <summary>The same or a near-identical candidate already exists.</summary>
    Duplicate,
    /// <summary>The researcher could not produce a usable candidate (garbage reply, bad diff, …).</summary>
    ResearchFailed,
    /// <summary>The sandbox tried something it may not: network, writing outside scratch, …</summary>
    SandboxViolation,
}

public static class NodeStatusExtensions
{
    /// <summary>Stable snake_case name used in the database, JSON and the CLI.</summary>
    public static string ToWireName(this NodeStatus status) => status switch
    {
        NodeStatus.Ok => "ok",
        NodeStatus.CompileError => "compile_error",
        NodeStatus.StaticCheckFailed => "static_check_failed",
        NodeStatus.Timeout => "timeout",
        NodeStatus.Crash => "crash",
        NodeStatus.OutOfMemory => "out_of_memory",
        NodeStatus.InvalidOutput => "invalid_output",
        NodeStatus.RejectedAtStage => "rejected_at_stage",
        NodeStatus.Duplicate => "duplicate",
        NodeStatus.ResearchFailed => "research_failed",
        NodeStatus.SandboxViolation => "sandbox_violation",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "unknown node status"),
    };

    private static readonly Dictionary<string, NodeStatus> ByWireName =
        Enum.GetValues<NodeStatus>().ToDictionary(v => v.ToWireName(), StringComparer.Ordinal);

    public static NodeStatus ParseWireName(string name)
    {
        if (ByWireName.TryGetValue(name, out var status)) return status;
        throw new FormatException(
            $"Unknown node status '{name}'. Allowed: {string.Join(", ", Enum.GetValues<NodeStatus>().Select(v => v.ToWireName()))}.");
    }
}
