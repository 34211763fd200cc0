namespace Evolve.Engineering.StaticChecks;

/// <summary>One compiler error or rule violation, located in the candidate's source (1-based line and column).</summary>
public sealed record SourceDiagnostic(string Id, int Line, int Column, string Message)
{
    public override string ToString() => $"({Line},{Column}): {Id}: {Message}";
}
