namespace Evolve.Tasks;

/// <summary>A validated task folder. Built only by <see cref="TaskLoader"/>, so every field here has been checked.</summary>
/// <param name="Name">Task name (e.g. "circle-packing").</param>
/// <param name="Directory">Absolute path of the task folder.</param>
/// <param name="Description">One-line summary.</param>
/// <param name="ProblemPath">Absolute path of the problem statement shown to researchers (task.md).</param>
/// <param name="InitialProgramPath">Absolute path of the initial program.</param>
/// <param name="CognitionPath">Absolute path of the seed priors (cognition.jsonl); null when the task ships none.</param>
/// <param name="EntryPoint">What the candidate must provide; null when an external evaluator runs the candidate itself.</param>
/// <param name="Evaluator">How the candidate's output is judged.</param>
/// <param name="Stages">The evaluation cascade, in order (at least one stage).</param>
/// <param name="PrimaryMetric">The metric that is the node's score.</param>
/// <param name="HigherIsBetter">Direction of the primary metric.</param>
/// <param name="StaticCheck">Source size limit and forbidden APIs.</param>
/// <param name="Sampler">Default sampler settings for campaigns on this task.</param>
/// <param name="Budgets">Default campaign budgets.</param>
public sealed record TaskDefinition(
    string Name,
    string Directory,
    string Description,
    string ProblemPath,
    string InitialProgramPath,
    string? CognitionPath,
    EntryPointSpec? EntryPoint,
    EvaluatorSpec Evaluator,
    IReadOnlyList<StageSpec> Stages,
    string PrimaryMetric,
    bool HigherIsBetter,
    StaticCheckSpec StaticCheck,
    SamplerDefaults Sampler,
    BudgetDefaults Budgets)
{
    public string ReadProblem() => File.ReadAllText(ProblemPath);

    public string ReadInitialProgram() => File.ReadAllText(InitialProgramPath);

    /// <summary>Index of the named stage, or an exception naming the stages that exist.</summary>
    public int StageIndex(string stageName)
    {
        for (var i = 0; i < Stages.Count; i++)
        {
            if (Stages[i].Name == stageName) return i;
        }
        throw new ArgumentException(
            $"Task '{Name}' has no stage '{stageName}'. Stages: {string.Join(", ", Stages.Select(s => s.Name))}.",
            nameof(stageName));
    }
}

/// <summary>The public static method a candidate must define.</summary>
/// <param name="Type">Type name, simple ("Packing") or namespace-qualified.</param>
/// <param name="Method">
/// A public static method taking no parameters, or one string parameter (it receives the stage name).
/// </param>
public sealed record EntryPointSpec(string Type, string Method);

/// <summary>Either a built-in trusted evaluator or an external command.</summary>
/// <param name="BuiltIn">Name of a built-in evaluator (see <see cref="BuiltInEvaluators"/>), or null.</param>
/// <param name="Command">
/// External command line with placeholders {candidate} (source file), {results} (metrics file to write),
/// {output} (the candidate's returned value as JSON), {stage} and {workdir}; or null.
/// </param>
public sealed record EvaluatorSpec(string? BuiltIn, string? Command)
{
    public bool IsExternal => Command is not null;
}

/// <summary>One stage of the evaluation cascade.</summary>
/// <param name="Name">Stage name, unique within the task.</param>
/// <param name="Timeout">Wall-clock limit of the candidate's run in this stage (the whole process tree is killed after it).</param>
/// <param name="MemoryMb">Memory cap of the candidate process in MiB.</param>
/// <param name="Threshold">Condition that must hold for the next stage to run; null means "well-formed output is enough".</param>
/// <param name="ReuseRun">
/// When true the stage evaluates the previous stage's run output instead of running the candidate again
/// (a cheap quick stage followed by a fuller scoring of the same output).
/// </param>
public sealed record StageSpec(string Name, TimeSpan Timeout, int MemoryMb, StageThreshold? Threshold, bool ReuseRun);

/// <summary>A stage passes when <c>metrics[Metric] &gt;= Min</c> (and &lt;= Max when given).</summary>
public sealed record StageThreshold(string Metric, double? Min, double? Max)
{
    public bool IsMetBy(IReadOnlyDictionary<string, double> metrics, out string? reason)
    {
        if (!metrics.TryGetValue(Metric, out var value))
        {
            reason = $"metric '{Metric}' was not reported (reported: {(metrics.Count == 0 ? "nothing" : string.Join(", ", metrics.Keys))})";
            return false;
        }
        if (!double.IsFinite(value))
        {
            reason = $"metric '{Metric}' is {value}, not a finite number";
            return false;
        }
        if (Min is { } min && value < min)
        {
            reason = $"{Metric} = {value:G6} is below the threshold {min:G6}";
            return false;
        }
        if (Max is { } max && value > max)
        {
            reason = $"{Metric} = {value:G6} is above the limit {max:G6}";
            return false;
        }
        reason = null;
        return true;
    }
}

/// <summary>Static rules checked before a candidate runs.</summary>
/// <param name="MaxSourceBytes">Largest accepted source (UTF-8 bytes).</param>
/// <param name="Forbidden">
/// Namespaces, types or members the candidate may not use, fully qualified: "System.Net" bans the namespace and
/// everything under it, "System.IO.File" a type, "System.Environment.Exit" one member.
/// </param>
/// <param name="References">
/// Assemblies (simple names, e.g. "Evolve.DataCuration", "TorchSharp") the candidate compiles against besides the
/// framework, found beside the application; the runner loads them from there too.
/// </param>
public sealed record StaticCheckSpec(int MaxSourceBytes, IReadOnlyList<string> Forbidden, IReadOnlyList<string>? References = null)
{
    public IReadOnlyList<string> References { get; init; } = References ?? [];
}

/// <summary>Default sampler settings (a campaign configuration may override them).</summary>
public sealed record SamplerDefaults(
    string Kind,
    double UcbC,
    int TopK,
    int TopM,
    int Islands,
    int MigrationInterval,
    double MigrationRate);

/// <summary>Default campaign budgets (a campaign configuration or CLI flags may override them).</summary>
/// <param name="Rounds">Number of rounds.</param>
/// <param name="Parallel">Rounds in flight at once.</param>
/// <param name="TargetScore">Stop once the best primary score reaches this; null for none.</param>
/// <param name="WallTime">Stop after this much wall time; null for none.</param>
/// <param name="DebugRetries">How many repair attempts a failing candidate gets.</param>
public sealed record BudgetDefaults(int Rounds, int Parallel, double? TargetScore, TimeSpan? WallTime, int DebugRetries);
