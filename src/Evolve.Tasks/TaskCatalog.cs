namespace Evolve.Tasks;

/// <summary>
/// Resolves what `evolve run &lt;task&gt;` was given: a built-in task name (a folder shipped beside this assembly under
/// <c>BuiltIn/</c>) or the path of a task folder.
/// </summary>
public sealed class TaskCatalog
{
    public const string BuiltInFolderName = "BuiltIn";

    private readonly IReadOnlyList<string> _evaluatorNames;

    /// <param name="builtInRoot">Folder holding one sub-folder per built-in task; defaults to BuiltIn/ beside the application.</param>
    /// <param name="evaluators">The evaluators task.yaml may name; defaults to those of Evolve.Tasks.</param>
    public TaskCatalog(string? builtInRoot = null, EvaluatorRegistry? evaluators = null)
    {
        BuiltInRoot = Path.GetFullPath(builtInRoot ?? Path.Combine(AppContext.BaseDirectory, BuiltInFolderName));
        _evaluatorNames = evaluators?.Names ?? BuiltInEvaluators.Names;
    }

    public string BuiltInRoot { get; }

    /// <summary>Names of the built-in tasks (folders under <see cref="BuiltInRoot"/> that hold a task.yaml).</summary>
    public IReadOnlyList<string> BuiltInNames =>
        Directory.Exists(BuiltInRoot)
            ? Directory.EnumerateDirectories(BuiltInRoot)
                .Where(d => File.Exists(Path.Combine(d, TaskLoader.TaskFileName)))
                .Select(Path.GetFileName)
                .OfType<string>()
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    /// <summary>Loads a built-in task by name, or the task folder at a path.</summary>
    /// <exception cref="TaskValidationException">Unknown name, missing folder, or an invalid task.yaml.</exception>
    public TaskDefinition Resolve(string nameOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        if (LooksLikePath(nameOrPath) || Directory.Exists(nameOrPath)) return TaskLoader.LoadFolder(nameOrPath, _evaluatorNames);

        var builtIn = Path.Combine(BuiltInRoot, nameOrPath);
        if (Directory.Exists(builtIn)) return TaskLoader.LoadFolder(builtIn, _evaluatorNames);

        var names = BuiltInNames;
        throw new TaskValidationException(nameOrPath,
        [
            $"'{nameOrPath}' is neither a task folder nor a built-in task; built-in tasks: " +
            $"{(names.Count == 0 ? $"none found under {BuiltInRoot}" : string.Join(", ", names))}; or give the path of a folder with {TaskLoader.TaskFileName}",
        ]);
    }

    private static bool LooksLikePath(string value) =>
        value.Contains(Path.DirectorySeparatorChar) || value.Contains(Path.AltDirectorySeparatorChar) || value.StartsWith('.');
}
