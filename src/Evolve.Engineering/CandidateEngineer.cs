using Evolve.Core;
using Evolve.Core.Evaluation;
using Evolve.Engineering.Cascade;
using Evolve.Engineering.StaticChecks;
using Evolve.Tasks;
using Evolve.Core.IO;

namespace Evolve.Engineering;

/// <summary>
/// Static check and evaluation cascade in one call, for callers that do not split them into separate durable
/// activities (the CLI, benchmarks, tests). Files are laid out under the work directory: candidate.cs,
/// candidate.dll and one folder per stage.
/// </summary>
public sealed class CandidateEngineer(StaticChecker checker, EvaluationCascade cascade)
{
    public const string SourceFile = "candidate.cs";
    public const string AssemblyFile = "candidate.dll";

    public async Task<CandidateEvaluation> EvaluateSourceAsync(string source, TaskDefinition task, string workDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(task);
        var directory = Directory.CreateDirectory(workDirectory).FullName;
        var sourcePath = Path.Combine(directory, SourceFile);
        AtomicFile.WriteAllText(sourcePath, source);

        StaticCheckResult? check = null;
        string? assemblyPath = null;
        if (task.EntryPoint is not null)
        {
            check = checker.Check(source, task, Path.Combine(directory, AssemblyFile), cancellationToken);
            if (!check.Passed) return new CandidateEvaluation(check.Status, check.Error, check, null);
            assemblyPath = check.AssemblyPath;
        }

        var result = await cascade.RunAsync(task, new CandidateArtifacts(sourcePath, assemblyPath), directory, cancellationToken).ConfigureAwait(false);
        return new CandidateEvaluation(result.Status, result.Error, check, result);
    }
}

/// <summary>Everything known about one candidate after the engineer is done with it.</summary>
/// <param name="Status">The node status to record.</param>
/// <param name="Error">Readable error; null when Ok.</param>
/// <param name="StaticCheck">The static check (null when the task has no entry point to compile).</param>
/// <param name="Cascade">The cascade (null when the static check failed).</param>
public sealed record CandidateEvaluation(NodeStatus Status, string? Error, StaticCheckResult? StaticCheck, CascadeResult? Cascade)
{
    public double? Score => Cascade?.PrimaryScore;

    public IReadOnlyDictionary<string, double> Metrics => Cascade?.Metrics ?? new Dictionary<string, double>();
}
