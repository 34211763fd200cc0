using Evolve.Core;

namespace Evolve.Engineering.StaticChecks;

/// <summary>The verdict of the static check: small and serialisable, so an activity can return it.</summary>
/// <param name="Status">Ok, CompileError or StaticCheckFailed.</param>
/// <param name="Error">Readable summary of the failure (the first diagnostics); null when Ok.</param>
/// <param name="Diagnostics">Compiler errors with line and column (CompileError).</param>
/// <param name="ForbiddenUsages">Forbidden APIs used, with line and column (StaticCheckFailed).</param>
/// <param name="AssemblyPath">Where the compiled candidate was written (Ok only).</param>
/// <param name="Duration">Time spent checking and compiling.</param>
public sealed record StaticCheckResult(
    NodeStatus Status,
    string? Error,
    IReadOnlyList<SourceDiagnostic> Diagnostics,
    IReadOnlyList<ForbiddenUsage> ForbiddenUsages,
    string? AssemblyPath,
    TimeSpan Duration)
{
    public bool Passed => Status == NodeStatus.Ok;
}
