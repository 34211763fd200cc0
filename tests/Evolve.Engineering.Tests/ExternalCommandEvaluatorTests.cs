using Evolve.Core;
using Evolve.Tasks;

namespace Evolve.Engineering.Tests;

/// <summary>External evaluators (`command:` in task.yaml) run for real through /bin/sh (and python3 where present).</summary>
[Collection(EngineCollection.Name)]
public sealed class ExternalCommandEvaluatorTests(EngineFixture engine)
{
    private TaskDefinition Task(string command, string script, string scriptName = "evaluate.sh", bool entryPoint = false, double timeout = 10)
    {
        var directory = engine.NewDirectory("external-task");
        File.WriteAllText(Path.Combine(directory, "task.md"), "# external");
        File.WriteAllText(Path.Combine(directory, "initial.cs"), "public static class Packing { public static double[][] Construct() => null; }");
        File.WriteAllText(Path.Combine(directory, scriptName), script);
        var entry = entryPoint ? "entry_point: { type: Packing, method: Construct }\n" : "";
        File.WriteAllText(Path.Combine(directory, "task.yaml"), $$"""
            name: external
            {{entry}}evaluator: { command: "{{command}}" }
            primary_metric: score
            stages:
              - { name: quick, timeout_s: {{timeout.ToString(System.Globalization.CultureInfo.InvariantCulture)}}, threshold: { metric: score, min: 1 } }
              - { name: full, timeout_s: {{timeout.ToString(System.Globalization.CultureInfo.InvariantCulture)}} }
            """);
        return TaskLoader.LoadFolder(directory);
    }

    [Fact]
    public async Task Metrics_come_from_the_results_file()
    {
        // Score = number of lines of the candidate; the stage name and result path come through the placeholders.
        var task = Task("sh evaluate.sh {candidate} {results} {stage}", """
            lines=$(wc -l < "$1")
            printf '{"score": %s, "passed": true, "stage_%s": 1, "note": "ignored text"}' "$lines" "$3" > "$2"
            echo "progress noise that is not JSON"
            """);
        var result = await engine.EvaluateAsync(task, "line 1\nline 2\nline 3\n");

        Assert.True(result.Status == NodeStatus.Ok, result.Error);
        Assert.Equal(3, result.Score);
        Assert.Equal(1, result.Metrics["passed"]);
        Assert.Equal(1, result.Metrics["stage_quick"]);
        Assert.Equal(1, result.Metrics["stage_full"]);
        Assert.False(result.Metrics.ContainsKey("note"));
    }

    [Fact]
    public async Task Metrics_come_from_stdout_when_there_is_no_results_file()
    {
        var task = Task("sh evaluate.sh {candidate}", """
            echo "starting"
            echo '{"metrics": {"score": 4.5, "speed": 2}}'
            """);
        var result = await engine.EvaluateAsync(task, "anything");

        Assert.True(result.Status == NodeStatus.Ok, result.Error);
        Assert.Equal(4.5, result.Score);
        Assert.Equal(2, result.Metrics["speed"]);
    }

    [Fact]
    public async Task Non_json_output_is_invalid_output_with_what_it_printed()
    {
        var task = Task("sh evaluate.sh {candidate}", "echo 'score: very good'");
        var result = await engine.EvaluateAsync(task, "anything");

        Assert.Equal(NodeStatus.InvalidOutput, result.Status);
        Assert.Contains("metrics in its standard output are unusable: not JSON", result.Error);
        Assert.Contains("score: very good", result.Error);
        Assert.Equal("quick", result.Cascade!.StageReached);
    }

    [Fact]
    public async Task Results_file_that_is_not_json_is_invalid_output()
    {
        var task = Task("sh evaluate.sh {results} {candidate}", "echo '<html>oops</html>' > \"$1\"");
        var result = await engine.EvaluateAsync(task, "anything");

        Assert.Equal(NodeStatus.InvalidOutput, result.Status);
        Assert.Contains("metrics in the results file", result.Error);
        Assert.Contains("not JSON", result.Error);
    }

    [Fact]
    public async Task Failing_command_reports_its_exit_code_and_stderr()
    {
        var task = Task("sh evaluate.sh {candidate}", "echo 'Traceback: evaluator exploded' >&2; exit 3");
        var result = await engine.EvaluateAsync(task, "anything");

        Assert.Equal(NodeStatus.InvalidOutput, result.Status);
        Assert.Contains("exit code 3", result.Error);
        Assert.Contains("evaluator exploded", result.Error);
    }

    [Fact]
    public async Task Slow_command_is_a_timeout()
    {
        var task = Task("sh evaluate.sh {candidate}", "sleep 30; echo '{\"score\": 1}'", timeout: 1);
        var result = await engine.EvaluateAsync(task, "anything");

        Assert.Equal(NodeStatus.Timeout, result.Status);
        Assert.Contains("ran past the 1 s limit of stage 'quick'", result.Error);
    }

    [Fact]
    public async Task Low_score_is_rejected_at_the_first_stage()
    {
        var task = Task("sh evaluate.sh {candidate}", "echo '{\"score\": 0.5}'");
        var result = await engine.EvaluateAsync(task, "anything");
        Assert.Equal(NodeStatus.RejectedAtStage, result.Status);
        Assert.Equal("quick", result.Cascade!.StageReached);
        Assert.Contains("score = 0.5 is below the threshold 1", result.Error);
    }

    [Fact]
    public async Task With_an_entry_point_the_command_judges_the_sandboxed_output()
    {
        var python = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, "python3")));
        var task = python
            ? Task("python3 evaluate.py {output} {results}", """
                import json, sys
                circles = json.load(open(sys.argv[1]))
                json.dump({"score": sum(c[2] for c in circles) * 10, "count": len(circles)}, open(sys.argv[2], "w"))
                """, "evaluate.py", entryPoint: true)
            : Task("sh evaluate.sh {output}", "printf '{\"score\": %s}' \"$(tr -cd ',' < \"$1\" | wc -c)\"", entryPoint: true);
        var source = "public static class Packing { public static double[][] Construct() => new[] { new[] { 0.5, 0.5, 0.25 }, new[] { 0.1, 0.1, 0.05 } }; }";
        var result = await engine.EvaluateAsync(task, source);

        Assert.True(result.Status == NodeStatus.Ok, result.Error);
        if (python)
        {
            Assert.Equal(3.0, result.Score!.Value, 9);
            Assert.Equal(2, result.Metrics["count"]);
        }
        else
        {
            Assert.Equal(5, result.Score);
        }
    }
}
