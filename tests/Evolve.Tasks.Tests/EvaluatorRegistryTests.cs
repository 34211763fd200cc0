using Evolve.Core.Evaluation;
using Microsoft.Extensions.DependencyInjection;

namespace Evolve.Tasks.Tests;

public sealed class EvaluatorRegistryTests
{
    private sealed class ConstantEvaluator : ICandidateEvaluator
    {
        public string Name => "constant";

        public Task<EvaluatorVerdict> EvaluateStageAsync(StageEvaluationContext context, CancellationToken cancellationToken) =>
            Task.FromResult(EvaluatorVerdict.WellFormed(new Dictionary<string, double> { ["score"] = 1 }));
    }

    [Fact]
    public void An_evaluator_registered_by_another_project_is_accepted_by_task_yaml_and_created_by_name()
    {
        using var services = new ServiceCollection().AddTaskEvaluator("constant", _ => new ConstantEvaluator()).BuildServiceProvider();
        var registry = services.GetRequiredService<EvaluatorRegistry>();
        Assert.Equal(["circle-packing", "constant"], registry.Names);
        Assert.IsType<ConstantEvaluator>(registry.Create("constant"));

        var folder = Directory.CreateTempSubdirectory("evolve-registry-test-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "task.md"), "statement");
            File.WriteAllText(Path.Combine(folder, "initial.cs"), "public static class P { public static int Run() => 1; }");
            File.WriteAllText(Path.Combine(folder, "task.yaml"), """
                name: custom
                entry_point: { type: P, method: Run }
                evaluator: { builtin: constant }
                stages: [ { name: only } ]
                primary_metric: score
                """);
            Assert.Equal("constant", services.GetRequiredService<TaskCatalog>().Resolve(folder).Evaluator.BuiltIn);

            // Without the registration the same folder is an error that lists what is known.
            var error = Assert.Throws<TaskValidationException>(() => new TaskCatalog().Resolve(folder));
            Assert.Contains(error.Errors, e => e.Contains("unknown built-in evaluator 'constant'") && e.Contains("circle-packing"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Two_evaluators_with_one_name_are_refused()
    {
        using var services = new ServiceCollection()
            .AddTaskEvaluator("circle-packing", _ => new ConstantEvaluator())
            .BuildServiceProvider();
        var error = Assert.Throws<InvalidOperationException>(() => { services.GetRequiredService<EvaluatorRegistry>(); });
        Assert.Contains("'circle-packing'", error.Message);
    }
}
