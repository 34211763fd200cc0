using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Evolve.Tasks;

/// <summary>Reads and validates a task folder's task.yaml. Every problem is reported at once, each naming its key.</summary>
public static class TaskLoader
{
    public const string TaskFileName = "task.yaml";

    public static readonly IReadOnlyList<string> SamplerKinds = ["ucb1", "greedy", "random", "map-elites"];

    /// <summary>Placeholders an external evaluator command may use.</summary>
    public static readonly IReadOnlyList<string> CommandPlaceholders = ["{candidate}", "{results}", "{output}", "{stage}", "{workdir}"];

    /// <summary>Where a task's extra compile reference (static_check.references) is found: beside the application.</summary>
    public static string ReferencePath(string assemblyName) => Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");

    /// <summary>Loads the task in <paramref name="directory"/> (the folder holding task.yaml).</summary>
    /// <exception cref="TaskValidationException">The folder or its task.yaml is invalid; the message lists every problem.</exception>
    /// <param name="evaluatorNames">Evaluators `evaluator.builtin` may name; defaults to <see cref="BuiltInEvaluators.Names"/>.</param>
    public static TaskDefinition LoadFolder(string directory, IReadOnlyList<string>? evaluatorNames = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var full = Path.GetFullPath(directory);
        var file = Path.Combine(full, TaskFileName);
        if (!System.IO.Directory.Exists(full))
        {
            throw new TaskValidationException(full, [$"the folder does not exist; give a task folder containing {TaskFileName} or a built-in task name"]);
        }
        if (!File.Exists(file))
        {
            throw new TaskValidationException(full, [$"{TaskFileName} is missing; a task folder needs {TaskFileName}, task.md, an initial program and optionally cognition.jsonl"]);
        }
        return Parse(File.ReadAllText(file), full, file, evaluatorNames);
    }

    /// <summary>Validates task.yaml text whose relative paths resolve against <paramref name="directory"/>.</summary>
    public static TaskDefinition Parse(string yaml, string directory, string sourceName = TaskFileName, IReadOnlyList<string>? evaluatorNames = null)
    {
        var errors = new List<string>();
        YamlMappingNode? root = null;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                errors.Add("the file must be a YAML mapping with keys such as name, entry_point, evaluator, stages, primary_metric");
            }
            else
            {
                root = mapping;
            }
        }
        catch (YamlException e)
        {
            errors.Add($"line {e.Start.Line}, column {e.Start.Column}: YAML syntax error: {e.InnerException?.Message ?? e.Message}");
        }
        if (root is null) throw new TaskValidationException(sourceName, errors);

        var task = Read(new YamlSection(root, "", errors), directory, errors, evaluatorNames ?? BuiltInEvaluators.Names);
        if (errors.Count > 0 || task is null) throw new TaskValidationException(sourceName, errors);
        return task;
    }

    private static TaskDefinition? Read(YamlSection root, string directory, List<string> errors, IReadOnlyList<string> evaluatorNames)
    {
        var name = root.String("name", required: true);
        var description = root.String("description") ?? "";
        var problem = ExistingFile(root, "problem", directory, "task.md", required: true);
        var initial = ExistingFile(root, "initial_program", directory, "initial.cs", required: true);
        var cognition = ExistingFile(root, "cognition", directory, "cognition.jsonl", required: false);

        EntryPointSpec? entryPoint = null;
        if (root.Section("entry_point") is { } entrySection)
        {
            var type = entrySection.String("type", required: true);
            var method = entrySection.String("method", required: true);
            entrySection.RejectUnknownKeys();
            if (type is not null && method is not null) entryPoint = new EntryPointSpec(type, method);
        }

        var evaluator = ReadEvaluator(root, entryPoint, evaluatorNames);
        var stages = ReadStages(root, entryPoint, errors);
        var primary = root.String("primary_metric", required: true);
        var higherIsBetter = root.Bool("higher_is_better") ?? true;
        var staticCheck = ReadStaticCheck(root);
        var sampler = ReadSampler(root);
        var budgets = ReadBudgets(root);
        root.RejectUnknownKeys();

        if (errors.Count > 0 || name is null || problem is null || initial is null || evaluator is null || stages is null || primary is null)
        {
            return null;
        }
        return new TaskDefinition(name, directory, description, problem, initial, cognition, entryPoint, evaluator, stages,
            primary, higherIsBetter, staticCheck, sampler, budgets);
    }

    private static string? ExistingFile(YamlSection section, string key, string directory, string defaultName, bool required)
    {
        var relative = section.String(key);
        var path = Path.GetFullPath(Path.Combine(directory, relative ?? defaultName));
        if (File.Exists(path)) return path;
        if (relative is not null || required)
        {
            section.Error(key, $"file '{relative ?? defaultName}' not found in the task folder {directory}");
        }
        return null;
    }

    private static EvaluatorSpec? ReadEvaluator(YamlSection root, EntryPointSpec? entryPoint, IReadOnlyList<string> evaluatorNames)
    {
        var section = root.Section("evaluator", required: true);
        if (section is null) return null;
        var builtIn = section.String("builtin");
        var command = section.String("command");
        section.RejectUnknownKeys();

        if ((builtIn is null) == (command is null))
        {
            section.Error("builtin", $"give exactly one of 'builtin' (one of: {string.Join(", ", evaluatorNames)}) or 'command' (e.g. \"python3 evaluate.py {{candidate}} {{results}}\")");
            return null;
        }
        if (builtIn is not null)
        {
            if (!evaluatorNames.Contains(builtIn, StringComparer.Ordinal))
            {
                section.Error("builtin", $"unknown built-in evaluator '{builtIn}'; allowed: {string.Join(", ", evaluatorNames)}");
                return null;
            }
            if (entryPoint is null)
            {
                root.Error("entry_point", "is required with a built-in evaluator (the evaluator judges what the entry point returns)");
                return null;
            }
        }
        if (command is not null && !command.Contains("{candidate}", StringComparison.Ordinal) && !command.Contains("{output}", StringComparison.Ordinal))
        {
            section.Error("command", $"must mention {{candidate}} or {{output}} so the evaluator knows what to judge; placeholders: {string.Join(", ", CommandPlaceholders)}");
            return null;
        }
        return new EvaluatorSpec(builtIn, command);
    }

    private static IReadOnlyList<StageSpec>? ReadStages(YamlSection root, EntryPointSpec? entryPoint, List<string> errors)
    {
        var sections = root.SectionList("stages", required: true);
        if (sections is null) return null;
        if (sections.Count == 0)
        {
            root.Error("stages", "needs at least one stage (name, timeout_s, memory_mb, threshold)");
            return null;
        }
        var before = errors.Count;
        var stages = new List<StageSpec>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sections.Count; i++)
        {
            var s = sections[i];
            var name = s.String("name", required: true);
            var timeout = s.Double("timeout_s", min: 0.001, max: 7 * 24 * 3600, unit: "of seconds") ?? 30;
            var memory = s.Int("memory_mb", min: 16, max: 1024 * 1024) ?? 1024;
            var reuse = s.Bool("reuse_run") ?? false;
            StageThreshold? threshold = null;
            if (s.Section("threshold") is { } t)
            {
                var metric = t.String("metric", required: true);
                var min = t.Double("min");
                var max = t.Double("max");
                if (metric is not null && min is null && max is null) t.Error("min", "give min, max or both");
                t.RejectUnknownKeys();
                if (metric is not null) threshold = new StageThreshold(metric, min, max);
            }
            s.RejectUnknownKeys();
            if (name is not null && !names.Add(name)) s.Error("name", $"duplicate stage name '{name}'; stage names must be unique");
            if (reuse && i == 0) s.Error("reuse_run", "the first stage has no previous run to reuse; remove reuse_run or set it to false");
            if (reuse && entryPoint is null) s.Error("reuse_run", "needs an entry_point (there is no candidate run to reuse)");
            if (name is not null) stages.Add(new StageSpec(name, TimeSpan.FromSeconds(timeout), memory, threshold, reuse));
        }
        return errors.Count == before ? stages : null;
    }

    private static StaticCheckSpec ReadStaticCheck(YamlSection root)
    {
        var section = root.Section("static_check");
        var maxBytes = section?.Int("max_source_bytes", min: 1, max: 64 * 1024 * 1024) ?? 64 * 1024;
        var forbidden = section?.StringList("forbidden") ?? [];
        var references = section?.StringList("references") ?? [];
        for (var i = 0; i < references.Count; i++)
        {
            if (!File.Exists(ReferencePath(references[i])))
            {
                section!.Error($"references[{i}]", $"assembly '{references[i]}' was not found beside the application ({AppContext.BaseDirectory}); " +
                    "give the simple name of an assembly the evolve executable ships (e.g. Evolve.DataCuration)");
            }
        }
        section?.RejectUnknownKeys();
        return new StaticCheckSpec(maxBytes, forbidden, references);
    }

    private static SamplerDefaults ReadSampler(YamlSection root)
    {
        var s = root.Section("sampler");
        var result = new SamplerDefaults(
            Kind: s?.Choice("kind", SamplerKinds) ?? "ucb1",
            UcbC: s?.Double("c", min: 0) ?? 1.414,
            TopK: s?.Int("top_k", min: 1) ?? 10,
            TopM: s?.Int("top_m", min: 1) ?? 50,
            Islands: s?.Int("islands", min: 1) ?? 4,
            MigrationInterval: s?.Int("migration_interval", min: 1) ?? 10,
            MigrationRate: s?.Double("migration_rate", min: 0, max: 1) ?? 0.1);
        s?.RejectUnknownKeys();
        return result;
    }

    private static BudgetDefaults ReadBudgets(YamlSection root)
    {
        var b = root.Section("budgets");
        var wallMinutes = b?.Double("wall_time_minutes", min: 0.001, unit: "of minutes");
        var result = new BudgetDefaults(
            Rounds: b?.Int("rounds", min: 1) ?? 40,
            Parallel: b?.Int("parallel", min: 1, max: 256) ?? 2,
            TargetScore: b?.Double("target_score"),
            WallTime: wallMinutes is { } m ? TimeSpan.FromMinutes(m) : null,
            DebugRetries: b?.Int("debug_retries", min: 0, max: 100) ?? 2);
        b?.RejectUnknownKeys();
        return result;
    }
}
