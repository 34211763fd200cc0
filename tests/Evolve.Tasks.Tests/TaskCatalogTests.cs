using Evolve.Tasks.Evaluators;

namespace Evolve.Tasks.Tests;

public sealed class TaskCatalogTests
{
    [Fact]
    public void Circle_packing_ships_as_a_valid_built_in_task()
    {
        var catalog = new TaskCatalog();
        Assert.Contains("circle-packing", catalog.BuiltInNames);

        var task = catalog.Resolve("circle-packing");

        Assert.Equal("circle-packing", task.Name);
        Assert.Equal(new EntryPointSpec("Packing", "Construct"), task.EntryPoint);
        Assert.Equal(CirclePackingEvaluator.EvaluatorName, task.Evaluator.BuiltIn);
        Assert.Equal(["validity", "score"], task.Stages.Select(s => s.Name));
        Assert.Equal(new StageThreshold("validity", 1, null), task.Stages[0].Threshold);
        Assert.True(task.Stages[1].ReuseRun);
        Assert.Equal("combined_score", task.PrimaryMetric);
        Assert.Contains("System.IO", task.StaticCheck.Forbidden);
        Assert.Contains("System.Net", task.StaticCheck.Forbidden);
        Assert.Contains("public static double[][] Construct()", task.ReadProblem());
        Assert.Contains("public static double[][] Construct()", task.ReadInitialProgram());
    }

    [Fact]
    public void Circle_packing_cognition_has_about_a_dozen_distinct_priors()
    {
        var task = new TaskCatalog().Resolve("circle-packing");
        var lines = File.ReadAllLines(task.CognitionPath!).Where(l => l.Trim().Length > 0).ToList();
        Assert.InRange(lines.Count, 10, 16);
        var ids = new HashSet<string>();
        foreach (var line in lines)
        {
            using var item = System.Text.Json.JsonDocument.Parse(line);
            Assert.True(ids.Add(item.RootElement.GetProperty("id").GetString()!));
            Assert.True(item.RootElement.GetProperty("content").GetString()!.Length > 80);
            Assert.False(string.IsNullOrWhiteSpace(item.RootElement.GetProperty("source").GetString()));
        }
    }

    [Fact]
    public void A_path_resolves_to_that_folder()
    {
        var builtIn = Path.Combine(AppContext.BaseDirectory, "BuiltIn", "circle-packing");
        var task = new TaskCatalog().Resolve(builtIn + "/");
        Assert.Equal(builtIn, task.Directory.TrimEnd('/'));
    }

    [Fact]
    public void Unknown_name_lists_the_built_in_tasks()
    {
        var error = Assert.Throws<TaskValidationException>(() => new TaskCatalog().Resolve("sphere-packing"));
        var line = Assert.Single(error.Errors);
        Assert.Contains("neither a task folder nor a built-in task", line);
        Assert.Contains("circle-packing", line);
    }

    [Fact]
    public void Missing_folder_path_is_reported()
    {
        var error = Assert.Throws<TaskValidationException>(() => new TaskCatalog().Resolve("./no/such/task"));
        Assert.Contains("does not exist", Assert.Single(error.Errors));
    }
}
