using Evolve.Tasks;

namespace Evolve.DataCuration.Strategies;

/// <summary>
/// The data-curation task folder shipped beside the application (BuiltIn/data-curation): its task.yaml gives the
/// rules every strategy is checked with (forbidden APIs, references, entry point), whether it comes from the
/// evolution loop or from <c>evolve data curate --strategy FILE</c>.
/// </summary>
public static class DataCurationTaskFolder
{
    public const string TaskName = "data-curation";

    /// <summary>The evaluator name task.yaml uses (<c>evaluator: { builtin: data-curation }</c>).</summary>
    public const string EvaluatorName = "data-curation";

    private static readonly Lazy<TaskDefinition> Loaded = new(() => TaskLoader.LoadFolder(Directory, [EvaluatorName]));

    public static string Directory => Path.Combine(AppContext.BaseDirectory, TaskCatalog.BuiltInFolderName, TaskName);

    public static string InitialProgramPath => Path.Combine(Directory, "initial.cs");

    /// <summary>The task definition (loaded once).</summary>
    public static TaskDefinition Definition => Loaded.Value;
}
