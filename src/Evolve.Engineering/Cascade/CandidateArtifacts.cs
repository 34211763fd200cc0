namespace Evolve.Engineering.Cascade;

/// <summary>Where a checked candidate lives: its source and (when the task has an entry point) its compiled assembly.</summary>
public sealed record CandidateArtifacts(string SourcePath, string? AssemblyPath);
