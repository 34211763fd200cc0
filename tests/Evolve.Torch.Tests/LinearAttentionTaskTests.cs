using System.Diagnostics;
using System.Text.Json;
using Evolve.Core;
using Evolve.Core.Evaluation;
using Evolve.Engineering;
using Evolve.Engineering.Cascade;
using Evolve.Torch.Jobs;
using Evolve.Torch.LinearAttention;
using Evolve.Torch.Training;
using Xunit.Abstractions;

namespace Evolve.Torch.Tests;

[Collection(LinearAttentionCollection.Name)]
public sealed class LinearAttentionTaskTests(LinearAttentionFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void The_task_folder_loads_through_the_catalog_with_the_registered_evaluator()
    {
        var task = fixture.Task;
        Assert.Equal("linear-attention", task.Name);
        Assert.Equal(LinearAttentionContract.Name, task.Evaluator.BuiltIn);
        Assert.Equal(new Evolve.Tasks.EntryPointSpec(LinearAttentionContract.EntryType, LinearAttentionContract.EntryMethod), task.EntryPoint);
        Assert.Equal(["checks", "quick", "full"], task.Stages.Select(s => s.Name));
        Assert.Equal(["TorchSharp", "Evolve.Torch"], task.StaticCheck.References);
        Assert.Equal("fitness", task.PrimaryMetric);
        Assert.Equal(0.9, task.Stages[1].Threshold!.Min);
        Assert.Contains("public static MixerFactory Create()", task.ReadProblem());
        Assert.True(File.Exists(Path.Combine(task.Directory, "softmax_reference.cs")));

        var priors = File.ReadAllLines(task.CognitionPath!).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.InRange(priors.Count, 24, 60);
        Assert.All(priors, p => Assert.True(p.GetProperty("content").GetString()!.Length > 80));
        Assert.Equal(priors.Count, priors.Select(p => p.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(LinearAttentionContract.Name, fixture.Evaluator.Name);
    }

    [Fact]
    public async Task The_initial_program_passes_every_stage_and_equals_the_DeltaNet_baseline_exactly()
    {
        var result = await fixture.InitialEvaluation;
        foreach (var stage in result.Cascade?.Stages ?? []) output.WriteLine($"{stage.Stage}: {stage.Status} {stage.Duration.TotalSeconds:F1}s {stage.Error}");
        Assert.True(result.Status == NodeStatus.Ok, result.Error);
        var metrics = result.Metrics;
        foreach (var (key, value) in metrics) output.WriteLine($"{key} = {value:G6}");

        Assert.Equal(3, result.Cascade!.Stages.Count);
        Assert.Equal(1.0, result.Score);
        Assert.Equal(1.0, metrics["quick_fitness"]);
        string quick = $"quick_{LinearAttentionFixture.QuickBenchmark.Name}";
        // Same code path as the baseline's reference DeltaNet, same seed and data: the same numbers to the last bit.
        Assert.Equal(metrics[$"{quick}_baseline_loss"], metrics[$"{quick}_loss"]);
        // DeltaNet learns the tiny recall task well above chance (1/16) in the quick budget.
        Assert.True(metrics[$"{quick}_accuracy"] > 3.0 / 16, $"quick MQAR accuracy {metrics[$"{quick}_accuracy"]}");
        Assert.Equal(4, metrics["checks_passed"]);
        Assert.True(metrics["parameters"] > 0 && metrics["tokens_per_s"] > 0);
        Assert.Equal(0, metrics["resumed_from_step"]);
        Assert.Contains("full_lm_t32_accuracy", metrics.Keys);

        // The worker's step lines reached the stage's progress file: the last report of the quick stage is its last step.
        var progressFile = Directory.EnumerateFiles(fixture.Root, StageProgressFile.FileName, SearchOption.AllDirectories)
            .Single(f => f.Contains("-initial", StringComparison.Ordinal) && f.Contains("stage-1-quick", StringComparison.Ordinal));
        var progress = StageProgressFile.TryRead(Path.GetDirectoryName(progressFile)!)!;
        output.WriteLine(progress.Summary);
        Assert.Equal(progress.TotalSteps, progress.Step);
        Assert.StartsWith("quick: ", progress.Summary);
        Assert.Contains(" loss ", progress.Summary);
        Assert.True(progress.Values!["tokens_per_s"] > 0);
    }

    [Fact]
    public void Worker_progress_lines_read_back_as_they_were_written_and_other_lines_are_not_progress()
    {
        var line = WorkerProgressLine.Format("candidate", "mqar_kv4_t24", new TrainingProgress(120, 400, 2.31, 5400, 100));
        Assert.True(WorkerProgressLine.TryParse(line, out var benchmark, out var progress));
        Assert.Equal("mqar_kv4_t24", benchmark);
        Assert.Equal(new TrainingProgress(120, 400, 2.31, 5400, 100), progress);
        Assert.False(WorkerProgressLine.TryParse("candidate mqar_kv4_t24 done: accuracy 0.5 loss 1.0 parameters 10 device cpu", out _, out _));
    }

    public static TheoryData<string, string, NodeStatus, string> Rejected => new()
    {
        { "non-causal", Candidate("x + x.mean([1], keepdim: true)"), NodeStatus.StaticCheckFailed, "not causal" },
        { "quadratic", "softmax_reference.cs", NodeStatus.StaticCheckFailed, "grows as T^" },
        { "NaN", Candidate("x.log()"), NodeStatus.StaticCheckFailed, "NaN" },
        { "not compiling", Candidate("x.no_such_method()"), NodeStatus.CompileError, "no_such_method" },
        { "libtorch error", Candidate("x.reshape(-1, 7)"), NodeStatus.StaticCheckFailed, "the mixer threw during the finite check: ExternalException: shape '[-1, 7]' is invalid" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public async Task The_checks_reject_bad_layers_with_a_clear_reason(string kind, string source, NodeStatus status, string reason)
    {
        if (source.EndsWith(".cs", StringComparison.Ordinal)) source = fixture.TaskFile(source);
        var result = await fixture.EvaluateAsync(source, kind.Replace(' ', '-'));
        output.WriteLine($"{kind}: {result.Status}: {result.Error}");
        Assert.Equal(status, result.Status);
        Assert.Contains(reason, result.Error);
        Assert.DoesNotContain("frame #", result.Error); // libtorch's C++ backtrace helps nobody choose the next experiment
        if (status == NodeStatus.StaticCheckFailed)
        {
            Assert.Equal("checks", result.Cascade!.StageReached);
            Assert.StartsWith("failed the '", result.Error);
        }
    }

    [Fact]
    public async Task A_layer_that_cannot_mix_tokens_is_rejected_at_the_quick_stage_below_the_baseline()
    {
        // Causal, linear and finite, so it passes the checks, but it sees only the current token: no recall.
        var result = await fixture.EvaluateAsync(Candidate("x"), "no-mixing");
        output.WriteLine($"{result.Status}: {result.Error}");
        Assert.Equal(NodeStatus.RejectedAtStage, result.Status);
        Assert.Equal("quick", result.Cascade!.StageReached);
        Assert.Contains("fitness", result.Error);
        Assert.Contains("below the threshold 0.9", result.Error);
        Assert.True(result.Metrics["fitness"] < 0.9);
    }

    [Fact]
    public async Task A_training_process_killed_mid_stage_resumes_from_its_checkpoint_on_the_rerun_and_ends_like_an_uninterrupted_run()
    {
        var task = fixture.Task;
        string directory = fixture.NewDirectory("killed");
        string source = task.ReadInitialProgram();
        string sourcePath = Path.Combine(directory, CandidateEngineer.SourceFile);
        File.WriteAllText(sourcePath, source);
        var check = fixture.Checker.Check(source, task, Path.Combine(directory, CandidateEngineer.AssemblyFile), CancellationToken.None);
        Assert.True(check.Passed, check.Error);
        var candidate = new CandidateArtifacts(sourcePath, check.AssemblyPath);
        const int quick = 1;
        var checkpoints = new CheckpointStore(Path.Combine(EvaluationCascade.PersistentDirectory(directory, task, quick), LinearAttentionFixture.QuickBenchmark.Name, "checkpoints"));
        string pidFile = Path.Combine(EvaluationCascade.StageDirectory(directory, task, quick), "evaluator", "candidate-worker.pid");

        var interrupted = fixture.Cascade.RunStageAsync(task, quick, candidate, directory, CancellationToken.None);
        var clock = Stopwatch.StartNew();
        while (LatestStep(checkpoints) < 20)
        {
            if (interrupted.IsCompleted) Assert.Fail("the stage ended before its second checkpoint: " + (await interrupted).Error);
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(4), "no checkpoint within 4 minutes");
            await Task.Delay(20);
        }
        using (var worker = Process.GetProcessById(int.Parse(File.ReadAllText(pidFile))))
        {
            worker.Kill(); // SIGKILL: no chance to clean up
        }
        var killed = await interrupted;
        int lastCheckpoint = LatestStep(checkpoints);
        output.WriteLine($"killed: {killed.Status}: {killed.Error}; last checkpoint {lastCheckpoint}");
        Assert.Equal(NodeStatus.Crash, killed.Status);
        Assert.Contains("killed by signal 9", killed.Error);
        Assert.InRange(lastCheckpoint, 20, LinearAttentionFixture.QuickSteps - 1);

        var rerun = await fixture.Cascade.RunStageAsync(task, quick, candidate, directory, CancellationToken.None);
        Assert.True(rerun.Passed, rerun.Error);
        Assert.Equal(lastCheckpoint, rerun.Metrics["resumed_from_step"]);

        var uninterrupted = (await fixture.InitialEvaluation).Cascade!.Stages[quick];
        Assert.Equal(0, uninterrupted.Metrics["resumed_from_step"]);
        foreach (var key in uninterrupted.Metrics.Keys.Where(k => k.StartsWith("quick_", StringComparison.Ordinal) || k is "fitness" or "score"))
            Assert.True(uninterrupted.Metrics[key] == rerun.Metrics[key], $"{key}: uninterrupted {uninterrupted.Metrics[key]:R}, resumed {rerun.Metrics[key]:R}");
    }

    [Fact]
    public async Task Training_past_the_stage_time_limit_is_stopped_and_reported_as_a_timeout()
    {
        string directory = fixture.NewDirectory("timeout");
        string source = fixture.Task.ReadInitialProgram();
        var check = fixture.Checker.Check(source, fixture.Task, Path.Combine(directory, CandidateEngineer.AssemblyFile), CancellationToken.None);
        Assert.True(check.Passed, check.Error);
        var verdict = await fixture.Evaluator.EvaluateStageAsync(
            new StageEvaluationContext("quick", 1, null, Path.Combine(directory, "candidate.cs"), Path.Combine(directory, "evaluator"), TimeSpan.FromMilliseconds(300),
                Path.Combine(directory, "persistent"), check.AssemblyPath),
            CancellationToken.None);
        output.WriteLine(verdict.Error);
        Assert.Equal(NodeStatus.Timeout, verdict.FailureStatus);
        Assert.Contains("ran past the 0.3 s limit of stage 'quick'", verdict.Error);
    }

    [Fact]
    public async Task A_stage_the_evaluator_has_no_settings_for_is_an_error_naming_the_configured_ones()
    {
        string directory = fixture.NewDirectory("unknown-stage");
        var verdict = await fixture.Evaluator.EvaluateStageAsync(
            new StageEvaluationContext("warmup", 0, null, Path.Combine(directory, "candidate.cs"), directory, TimeSpan.FromSeconds(10), null, Path.Combine(directory, "candidate.dll")),
            CancellationToken.None);
        Assert.False(verdict.IsWellFormed);
        Assert.Contains("no settings for stage 'warmup'", verdict.Error);
        Assert.Contains("checks, quick, full", verdict.Error);
    }

    /// <summary>A candidate whose layer is Linear(f(x)) for the given expression f of the input x.</summary>
    private static string Candidate(string expression) => $$"""
        using Evolve.Torch.Mixers;
        using TorchSharp.Modules;
        using static TorchSharp.torch;

        public static class LinearAttention
        {
            public static MixerFactory Create() => dim => new Layer(dim);
        }

        public sealed class Layer : nn.Module<Tensor, Tensor>
        {
            private readonly Linear proj;
            public Layer(int dim) : base("layer") { proj = nn.Linear(dim, dim); RegisterComponents(); }
            public override Tensor forward(Tensor x) => proj.forward({{expression}});
        }
        """;

    private static int LatestStep(CheckpointStore store)
    {
        try
        {
            return store.Latest()?.State.Step ?? 0;
        }
        catch (IOException)
        {
            return 0; // a checkpoint pruned while being read: look again
        }
    }
}
