namespace Evolve.Tasks.Tests;

public sealed class TaskLoaderTests : IDisposable
{
    private const string Minimal = """
        name: demo
        entry_point: { type: Packing, method: Construct }
        evaluator: { builtin: circle-packing }
        primary_metric: combined_score
        stages:
          - name: quick
            timeout_s: 2
            memory_mb: 128
            threshold: { metric: validity, min: 1 }
          - name: full
            reuse_run: true
        """;

    private readonly TempFolder _folder = new();

    public TaskLoaderTests()
    {
        _folder.Write("task.md", "# demo");
        _folder.Write("initial.cs", "public static class Packing { public static double[][] Construct() => new double[0][]; }");
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Minimal_task_gets_documented_defaults()
    {
        var task = TaskLoader.Parse(Minimal, _folder.Path);

        Assert.Equal("demo", task.Name);
        Assert.Equal(new EntryPointSpec("Packing", "Construct"), task.EntryPoint);
        Assert.Equal("circle-packing", task.Evaluator.BuiltIn);
        Assert.Equal(2, task.Stages.Count);
        Assert.Equal(TimeSpan.FromSeconds(2), task.Stages[0].Timeout);
        Assert.Equal(128, task.Stages[0].MemoryMb);
        Assert.Equal(new StageThreshold("validity", 1, null), task.Stages[0].Threshold);
        Assert.True(task.Stages[1].ReuseRun);
        Assert.Equal(TimeSpan.FromSeconds(30), task.Stages[1].Timeout);
        Assert.Equal(1024, task.Stages[1].MemoryMb);
        Assert.Null(task.Stages[1].Threshold);
        Assert.Equal(64 * 1024, task.StaticCheck.MaxSourceBytes);
        Assert.Empty(task.StaticCheck.Forbidden);
        Assert.Equal("ucb1", task.Sampler.Kind);
        Assert.Equal(1.414, task.Sampler.UcbC);
        Assert.Equal(10, task.Sampler.TopK);
        Assert.Equal(50, task.Sampler.TopM);
        Assert.Equal(40, task.Budgets.Rounds);
        Assert.True(task.HigherIsBetter);
        Assert.Null(task.CognitionPath);
        Assert.Equal(Path.Combine(_folder.Path, "initial.cs"), task.InitialProgramPath);
        Assert.Equal(1, task.StageIndex("full"));
    }

    [Fact]
    public void Unknown_keys_are_rejected_with_the_allowed_ones()
    {
        var error = Assert.Throws<TaskValidationException>(() => TaskLoader.Parse(Minimal + "\nsampeler: { kind: ucb1 }\n", _folder.Path));
        var line = Assert.Single(error.Errors);
        Assert.StartsWith("sampeler: unknown key; allowed here:", line);
        Assert.Contains("sampler", line);
    }

    [Fact]
    public void Nested_unknown_key_names_its_full_path()
    {
        var yaml = Minimal.Replace("memory_mb: 128", "memory_mb: 128\n    memroy: 3");
        var error = Assert.Throws<TaskValidationException>(() => TaskLoader.Parse(yaml, _folder.Path));
        Assert.Contains(error.Errors, e => e.StartsWith("stages[0].memroy: unknown key") && e.Contains("memory_mb") && e.Contains("timeout_s"));
    }

    [Fact]
    public void Bad_values_name_the_key_and_what_is_allowed()
    {
        var yaml = Minimal
            .Replace("timeout_s: 2", "timeout_s: soon")
            .Replace("primary_metric: combined_score", "primary_metric: combined_score\nsampler: { kind: simulated-annealing, top_k: 0 }");
        var error = Assert.Throws<TaskValidationException>(() => TaskLoader.Parse(yaml, _folder.Path));

        Assert.Contains(error.Errors, e => e.StartsWith("stages[0].timeout_s: must be a number") && e.Contains("'soon'"));
        Assert.Contains(error.Errors, e => e == "sampler.kind: must be one of ucb1, greedy, random, map-elites (got 'simulated-annealing')");
        Assert.Contains(error.Errors, e => e.StartsWith("sampler.top_k: must be a whole number >= 1"));
        Assert.Equal(3, error.Errors.Count);
        Assert.Contains("is not a valid task", error.Message);
    }

    [Fact]
    public void Evaluator_needs_exactly_one_known_kind()
    {
        var both = Minimal.Replace("evaluator: { builtin: circle-packing }", "evaluator: { builtin: circle-packing, command: \"sh e.sh {candidate}\" }");
        Assert.Contains(Assert.Throws<TaskValidationException>(() => TaskLoader.Parse(both, _folder.Path)).Errors,
            e => e.StartsWith("evaluator.builtin: give exactly one of 'builtin'"));

        var unknown = Minimal.Replace("builtin: circle-packing", "builtin: sphere-packing");
        Assert.Contains(Assert.Throws<TaskValidationException>(() => TaskLoader.Parse(unknown, _folder.Path)).Errors,
            e => e == "evaluator.builtin: unknown built-in evaluator 'sphere-packing'; allowed: circle-packing");

        var blind = Minimal.Replace("evaluator: { builtin: circle-packing }", "evaluator: { command: \"python3 evaluate.py\" }");
        Assert.Contains(Assert.Throws<TaskValidationException>(() => TaskLoader.Parse(blind, _folder.Path)).Errors,
            e => e.StartsWith("evaluator.command: must mention {candidate} or {output}"));
    }

    [Fact]
    public void External_command_task_needs_no_entry_point()
    {
        var yaml = """
            name: external
            evaluator: { command: "python3 evaluate.py {candidate} {results}" }
            primary_metric: score
            stages: [ { name: only, timeout_s: 5 } ]
            """;
        var task = TaskLoader.Parse(yaml, _folder.Path);
        Assert.Null(task.EntryPoint);
        Assert.True(task.Evaluator.IsExternal);
    }

    [Fact]
    public void Stage_rules_are_checked()
    {
        var yaml = """
            name: bad-stages
            entry_point: { type: P, method: M }
            evaluator: { builtin: circle-packing }
            primary_metric: combined_score
            stages:
              - { name: a, reuse_run: true, threshold: { metric: validity } }
              - { name: a, memory_mb: 8 }
            """;
        var errors = Assert.Throws<TaskValidationException>(() => TaskLoader.Parse(yaml, _folder.Path)).Errors;
        Assert.Contains(errors, e => e.StartsWith("stages[0].reuse_run: the first stage has no previous run"));
        Assert.Contains(errors, e => e.StartsWith("stages[0].threshold.min: give min, max or both"));
        Assert.Contains(errors, e => e.StartsWith("stages[1].name: duplicate stage name 'a'"));
        Assert.Contains(errors, e => e.StartsWith("stages[1].memory_mb: must be a whole number between 16 and"));

        var none = Assert.Throws<TaskValidationException>(() => TaskLoader.Parse(Minimal.Split("stages:")[0] + "stages: []", _folder.Path));
        Assert.Contains(none.Errors, e => e.StartsWith("stages: needs at least one stage"));
    }

    [Fact]
    public void Missing_required_keys_and_files_are_all_reported()
    {
        var errors = Assert.Throws<TaskValidationException>(() => TaskLoader.Parse("description: nothing else\ninitial_program: nope.cs", _folder.Path)).Errors;
        Assert.Contains("name: is required", errors);
        Assert.Contains("evaluator: is required", errors);
        Assert.Contains("stages: is required", errors);
        Assert.Contains("primary_metric: is required", errors);
        Assert.Contains(errors, e => e.StartsWith("initial_program: file 'nope.cs' not found in the task folder"));
    }

    [Fact]
    public void Yaml_syntax_errors_give_the_line()
    {
        var error = Assert.Throws<TaskValidationException>(() => TaskLoader.Parse("name: x\nstages: [ { name: a\n", _folder.Path));
        Assert.Matches(@"^line \d+, column \d+: YAML syntax error", Assert.Single(error.Errors));
    }

    [Fact]
    public void LoadFolder_explains_a_missing_task_yaml()
    {
        var error = Assert.Throws<TaskValidationException>(() => TaskLoader.LoadFolder(_folder.Path));
        Assert.Contains("task.yaml is missing", Assert.Single(error.Errors));
    }
}
