using Evolve.Core;
using Evolve.Core.Evaluation;
using Evolve.Engineering.Cascade;

namespace Evolve.Engineering.Tests;

[Collection(EngineCollection.Name)]
public sealed class CascadeTests(EngineFixture engine)
{
    private const string Grid = """
        public static class Packing
        {
            public static double[][] Construct()
            {
                var circles = new double[26][];
                for (var i = 0; i < 25; i++) circles[i] = new[] { 0.1 + 0.2 * (i % 5), 0.1 + 0.2 * (i / 5), 0.09 };
                circles[25] = new[] { 0.2, 0.2, 0.005 };
                return circles;
            }
        }
        """;

    [Fact]
    public async Task A_failed_threshold_stops_the_cascade_before_the_expensive_stage()
    {
        // Three stages: quick (needs validity), then one that demands an impossible score, then one that never runs.
        var task = engine.CirclePackingVariant(yaml => yaml.Replace("""
              - name: score
                reuse_run: true
                timeout_s: 10
                memory_mb: 512
            """, """
              - name: score
                reuse_run: true
                threshold: { metric: sum_radii, min: 2.6 }
              - name: never
                reuse_run: true
            """));
        var work = engine.NewDirectory("cascade");
        var result = await engine.Engineer.EvaluateSourceAsync(Grid, task, work, CancellationToken.None);

        Assert.Equal(NodeStatus.RejectedAtStage, result.Status);
        Assert.Equal("score", result.Cascade!.StageReached);
        Assert.Equal(1, result.Cascade.StageReachedIndex);
        Assert.Equal(2, result.Cascade.Stages.Count);
        Assert.True(result.Cascade.Stages[0].Passed);
        Assert.StartsWith("rejected at stage 'score': sum_radii = 2.255 is below the threshold 2.6", result.Error);
        Assert.Null(result.Cascade.PrimaryScore);
        Assert.Equal(2.255, result.Metrics["sum_radii"], 12);
        Assert.False(Directory.Exists(EvaluationCascade.StageDirectory(work, task, 2)));
    }

    [Fact]
    public async Task Stages_can_be_run_one_at_a_time_and_again_with_the_same_answer()
    {
        var task = engine.CirclePacking;
        var work = engine.NewDirectory("stages");
        var check = engine.Checker.Check(Grid, task, Path.Combine(work, "candidate.dll"), CancellationToken.None);
        var sourcePath = Path.Combine(work, "candidate.cs");
        File.WriteAllText(sourcePath, Grid);
        var candidate = new CandidateArtifacts(sourcePath, check.AssemblyPath);

        var first = await engine.Cascade.RunStageAsync(task, 0, candidate, work, CancellationToken.None);
        var second = await engine.Cascade.RunStageAsync(task, 1, candidate, work, CancellationToken.None);
        var secondAgain = await engine.Cascade.RunStageAsync(task, 1, candidate, work, CancellationToken.None);
        var combined = CascadeResult.Combine([first, second], task.Stages.Count, task.PrimaryMetric);

        Assert.True(first.Passed);
        Assert.Equal(second.Metrics.OrderBy(m => m.Key), secondAgain.Metrics.OrderBy(m => m.Key));
        Assert.Equal(NodeStatus.Ok, combined.Status);
        Assert.Equal(2.255 / 2.635, combined.PrimaryScore!.Value, 12);

        // A stage that reuses a run whose files are gone (another machine, a cleaned disk) runs the candidate itself.
        Directory.Delete(EvaluationCascade.StageDirectory(work, task, 0), recursive: true);
        var rerun = await engine.Cascade.RunStageAsync(task, 1, candidate, work, CancellationToken.None);
        Assert.True(rerun.Passed);
        Assert.Equal(second.Metrics["sum_radii"], rerun.Metrics["sum_radii"]);
    }

    [Fact]
    public void Combine_reports_a_missing_primary_metric()
    {
        var stage = new StageResult("only", 0, true, NodeStatus.Ok, new Dictionary<string, double> { ["other"] = 1 }, null, TimeSpan.Zero);
        var result = CascadeResult.Combine([stage], 1, "combined_score");
        Assert.Equal(NodeStatus.InvalidOutput, result.Status);
        Assert.Contains("did not report the primary metric 'combined_score'", result.Error);
        Assert.Contains("other", result.Error);
    }

    [Fact]
    public void Combine_needs_at_least_one_stage()
    {
        var error = Assert.Throws<ArgumentException>(() => CascadeResult.Combine([], 2, "score"));
        Assert.Contains("at least one stage", error.Message);
    }

    [Fact]
    public void Combine_keeps_the_failing_stage_and_merges_metrics()
    {
        var passed = new StageResult("a", 0, true, NodeStatus.Ok, new Dictionary<string, double> { ["validity"] = 1, ["x"] = 1 }, null, TimeSpan.Zero);
        var failed = new StageResult("b", 1, false, NodeStatus.Timeout, new Dictionary<string, double> { ["x"] = 2 }, "too slow", TimeSpan.Zero);
        var result = CascadeResult.Combine([passed, failed], 3, "score");
        Assert.Equal(NodeStatus.Timeout, result.Status);
        Assert.Equal("b", result.StageReached);
        Assert.Equal("too slow", result.Error);
        Assert.Equal(2, result.Metrics["x"]);
        Assert.Equal(1, result.Metrics["validity"]);
        Assert.Null(result.PrimaryScore);
    }

    [Fact]
    public async Task Every_stage_result_carries_its_duration_and_name()
    {
        var result = await engine.EvaluateAsync(engine.CirclePacking, Grid);
        Assert.All(result.Cascade!.Stages, s => Assert.True(s.Duration > TimeSpan.Zero));
        Assert.Equal([0, 1], result.Cascade.Stages.Select(s => s.StageIndex));
    }
}

[Collection(EngineCollection.Name)]
public sealed class TaskReferenceTests(EngineFixture engine)
{
    [Fact]
    public async Task A_candidate_uses_an_assembly_the_task_references_at_compile_time_and_in_the_runner()
    {
        // YamlDotNet ships beside the application (and the runner) but is not a framework assembly: only a task that
        // lists it in static_check.references lets a candidate use it.
        const string source = """
            public static class Packing
            {
                public static double[][] Construct()
                {
                    var count = new YamlDotNet.RepresentationModel.YamlSequenceNode().Children.Count + 26;
                    var circles = new double[count][];
                    for (var i = 0; i < count; i++) circles[i] = new[] { 0.1 + 0.16 * (i % 6), 0.1 + 0.16 * (i / 6), 0.05 };
                    return circles;
                }
            }
            """;
        var without = await engine.EvaluateAsync(engine.CirclePacking, source, "no-reference");
        Assert.Equal(NodeStatus.CompileError, without.Status);
        Assert.Contains("YamlDotNet", without.Error);

        var task = engine.CirclePackingVariant(yaml => yaml.Replace("  max_source_bytes: 65536", "  max_source_bytes: 65536\n  references: [YamlDotNet]"));
        var with = await engine.EvaluateAsync(task, source, "with-reference");
        Assert.True(with.Status == NodeStatus.Ok, with.Error);
        Assert.Equal(26 * 0.05, with.Metrics["sum_radii"], 9);
    }

    [Fact]
    public void A_reference_that_is_not_beside_the_application_is_a_task_error_naming_it()
    {
        var error = Assert.Throws<Evolve.Tasks.TaskValidationException>(() =>
            engine.CirclePackingVariant(yaml => yaml.Replace("  max_source_bytes: 65536", "  max_source_bytes: 65536\n  references: [No.Such.Assembly]")));
        Assert.Contains(error.Errors, e => e.Contains("static_check.references[0]") && e.Contains("No.Such.Assembly"));
    }
}
