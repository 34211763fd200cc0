using System.Text.Json;
using Evolve.Core;
using Evolve.Core.Evaluation;
using Evolve.DataCuration.Evolution;
using Evolve.DataCuration.Strategies;
using Evolve.Engineering;
using Evolve.Engineering.StaticChecks;
using Evolve.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evolve.DataCuration.Tests;

/// <summary>Small held samples, generated once for the whole test class into its own cache folder.</summary>
public sealed class EvolutionFixture : IDisposable
{
    public TempFolder Temp { get; } = new();

    public DataCurationTaskOptions Options { get; }

    public StaticChecker Checker { get; } = new(new CandidateCompiler());

    public EvolutionFixture()
    {
        Options = new DataCurationTaskOptions
        {
            SampleCacheDirectory = Temp.Sub("samples"),
            Quick = new SampleSize(1, 120),
            Full = new SampleSize(2, 200),
        };
    }

    /// <summary>Compiles a strategy the way the loop's static check does and returns the paths the evaluator gets.</summary>
    public (string Source, string Assembly) Compile(string source, string name)
    {
        var folder = Temp.Sub("candidate-" + name);
        var sourcePath = Path.Combine(folder, "candidate.cs");
        File.WriteAllText(sourcePath, source);
        var check = Checker.Check(source, DataCurationTaskFolder.Definition, Path.Combine(folder, "candidate.dll"), default);
        Assert.True(check.Passed, check.Error);
        return (sourcePath, check.AssemblyPath!);
    }

    public async Task<EvaluatorVerdict> EvaluateAsync(string source, string name, int stage = 1, CurationJudge? judge = null, string? workDirectory = null)
    {
        var (sourcePath, assembly) = Compile(source, name);
        var evaluator = new DataCurationEvaluator(Options, new EvaluationSamples(Options), judge);
        var context = new StageEvaluationContext(stage == 0 ? "quick" : "full", stage, null, sourcePath,
            workDirectory ?? Temp.Sub($"work-{name}-{stage}"), TimeSpan.FromMinutes(3), null, assembly);
        return await evaluator.EvaluateStageAsync(context, default);
    }

    public void Dispose() => Temp.Dispose();
}

public sealed class EvolutionTaskTests(EvolutionFixture fixture) : IClassFixture<EvolutionFixture>
{
    internal const string Identity = """
        using Evolve.DataCuration.Cleaning;
        public sealed class KeepAll : ICleaningOperation
        {
            public string Name => "keep-all";
            public string Parameters => "";
            public void Apply(CleaningDocument document, OperationStatistics statistics) { }
        }
        public static class Strategy { public static CleaningPipeline Build() => new CleaningPipeline("identity").Add(new KeepAll()); }
        """;

    internal const string RemoveEverything = """
        using Evolve.DataCuration.Cleaning;
        using Evolve.DataCuration.Cleaning.Operations;
        public static class Strategy
        {
            public static CleaningPipeline Build() =>
                new CleaningPipeline("nothing").Add(new FilterDocuments(new DocumentQualityThresholds { MinCharacters = 1_000_000 }));
        }
        """;

    [Fact]
    public async Task Ground_truth_metrics_rank_the_baseline_above_keeping_everything_and_above_removing_everything()
    {
        var baseline = await fixture.EvaluateAsync(StrategySource.Builtin().Text, "baseline");
        var identity = await fixture.EvaluateAsync(Identity, "identity");
        var nothing = await fixture.EvaluateAsync(RemoveEverything, "nothing");
        Assert.True(baseline.IsWellFormed, baseline.Error);
        Assert.True(identity.IsWellFormed, identity.Error);
        Assert.True(nothing.IsWellFormed, nothing.Error);
        var (b, i, n) = (baseline.Metrics, identity.Metrics, nothing.Metrics);

        // Removing everything keeps no content, so its score is nothing, however "clean" the empty output is.
        Assert.InRange(n["content_recall"], 0, 0.01);
        Assert.Equal(0, n[CurationScore.Metric]);
        // Keeping everything keeps all content but removes (almost) no noise and leaks all PII.
        Assert.True(i["content_recall"] > 0.85, $"identity recall {i["content_recall"]}");
        Assert.True(i["noise_removed"] < 0.2, $"identity noise removed {i["noise_removed"]}");
        Assert.True(i["pii_leaked"] > 0.9, $"identity PII leaked {i["pii_leaked"]}");
        Assert.Equal(0, i["duplicates_removed"]);
        // The baseline cleans.
        Assert.True(b["noise_removed"] > 0.8, $"baseline noise removed {b["noise_removed"]}");
        Assert.True(b["content_f1"] > 0.85, $"baseline F1 {b["content_f1"]}");
        Assert.True(b["duplicates_removed"] > 0.8, $"baseline duplicates removed {b["duplicates_removed"]}");
        Assert.True(b["pii_leaked"] < 0.1, $"baseline PII leaked {b["pii_leaked"]}");
        Assert.True(b[CurationScore.Metric] > i[CurationScore.Metric] + 0.1, $"baseline {b[CurationScore.Metric]} vs identity {i[CurationScore.Metric]}");
        Assert.True(b["docs_per_s"] > 0);
        Assert.Contains("noise_removed_html", b.Keys);
        Assert.Contains("noise left by kind", baseline.Detail);
    }

    [Fact]
    public async Task A_strategy_whose_operation_throws_is_a_crash_verdict_naming_the_shard_and_error()
    {
        const string source = """
            using Evolve.DataCuration.Cleaning;
            public sealed class Explode : ICleaningOperation
            {
                public string Name => "explode";
                public string Parameters => "";
                public void Apply(CleaningDocument document, OperationStatistics statistics) => throw new InvalidOperationException("kaboom");
            }
            public static class Strategy { public static CleaningPipeline Build() => new CleaningPipeline("explode").Add(new Explode()); }
            """;
        var verdict = await fixture.EvaluateAsync(source, "explode", stage: 0);
        Assert.False(verdict.IsWellFormed);
        Assert.Equal(NodeStatus.Crash, verdict.FailureStatus);
        Assert.Contains("kaboom", verdict.Error);
        Assert.Contains("shard-00000.parquet", verdict.Error);
    }

    [Fact]
    public async Task The_task_folder_loads_through_the_catalog_and_the_loop_evaluates_the_initial_program_in_the_sandbox()
    {
        using var services = new ServiceCollection()
            .AddLogging()
            .AddEvolveEngineering()
            .AddDataCurationTask(o =>
            {
                o.SampleCacheDirectory = fixture.Options.SampleCacheDirectory;
                o.Quick = fixture.Options.Quick;
                o.Full = fixture.Options.Full;
            })
            .BuildServiceProvider();
        var task = services.GetRequiredService<TaskCatalog>().Resolve(DataCurationTaskFolder.TaskName);
        Assert.Equal("data-curation", task.Evaluator.BuiltIn);
        Assert.Equal(CurationScore.Metric, task.PrimaryMetric);
        Assert.Equal(["quick", "full"], task.Stages.Select(s => s.Name));
        Assert.Equal(["Evolve.DataCuration"], task.StaticCheck.References);
        Assert.Equal(StrategySource.Builtin().Text, task.ReadInitialProgram());
        var cognition = File.ReadAllLines(task.CognitionPath!).Where(l => l.Length > 0).ToList();
        Assert.InRange(cognition.Count, 12, 20);
        Assert.All(cognition, line => Assert.True(JsonDocument.Parse(line).RootElement.TryGetProperty("content", out _)));

        var engineer = services.GetRequiredService<CandidateEngineer>();
        var evaluation = await engineer.EvaluateSourceAsync(task.ReadInitialProgram(), task, fixture.Temp.Sub("loop"), default);

        Assert.True(evaluation.Status == NodeStatus.Ok, $"{evaluation.Status}: {evaluation.Error}");
        Assert.True(evaluation.Score > 0.8, $"baseline score {evaluation.Score}");
        Assert.True(evaluation.Metrics["content_recall"] > 0.9);
    }

    [Fact]
    public async Task The_loop_rejects_a_strategy_that_deletes_content_at_the_quick_stage()
    {
        using var services = new ServiceCollection().AddLogging().AddEvolveEngineering()
            .AddDataCurationTask(o =>
            {
                o.SampleCacheDirectory = fixture.Options.SampleCacheDirectory;
                o.Quick = fixture.Options.Quick;
                o.Full = fixture.Options.Full;
            })
            .BuildServiceProvider();
        var task = services.GetRequiredService<TaskCatalog>().Resolve(DataCurationTaskFolder.TaskName);
        var evaluation = await services.GetRequiredService<CandidateEngineer>().EvaluateSourceAsync(RemoveEverything, task, fixture.Temp.Sub("loop-nothing"), default);
        Assert.Equal(NodeStatus.RejectedAtStage, evaluation.Status);
        Assert.Equal(0, evaluation.Metrics["content_recall"]);
    }

    [Fact]
    public async Task With_a_chat_client_the_full_stage_asks_the_judge_and_writes_new_issues_as_cognition_items()
    {
        var chat = new ScriptedChatClient(i => i % 2 == 0
            ? """{"score": 8, "issues": ["A trailing 'Comments (3)' line survived"]}"""
            : """Sure! ```json {"score": 6, "issues": ["Table header row was removed", "a trailing 'comments (3)' line survived."]} ```""");
        var judge = new CurationJudge(chat, NullLogger<CurationJudge>.Instance);
        var work = fixture.Temp.Sub("judged");

        var verdict = await fixture.EvaluateAsync(StrategySource.Builtin().Text, "judged", stage: 1, judge, work);

        Assert.True(verdict.IsWellFormed, verdict.Error);
        Assert.Equal(fixture.Options.JudgePairs, chat.Requests.Count);
        Assert.All(chat.Requests, r => Assert.Contains("BEFORE:", r));
        Assert.Equal(7, verdict.Metrics["judge_score"]);
        Assert.Equal(fixture.Options.JudgePairs, verdict.Metrics["judge_pairs"]);
        Assert.Equal(2, verdict.Metrics["judge_new_issues"]);
        Assert.Contains("LLM judge 7.0/10", verdict.Detail);
        var items = File.ReadAllLines(Path.Combine(work, DataCurationEvaluator.JudgeCognitionFile)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, items.Count);
        Assert.Contains(items, i => i.GetProperty("content").GetString()!.Contains("Comments (3)"));
        Assert.All(items, i => Assert.Equal("llm-judge", i.GetProperty("source").GetString()));

        // The same issues again are no longer news.
        var again = await fixture.EvaluateAsync(StrategySource.Builtin().Text, "judged-again", stage: 1, judge);
        Assert.Equal(0, again.Metrics["judge_new_issues"]);
        // The quick stage never asks the judge.
        var requests = chat.Requests.Count;
        await fixture.EvaluateAsync(StrategySource.Builtin().Text, "quick-judged", stage: 0, judge);
        Assert.Equal(requests, chat.Requests.Count);
    }
}

/// <summary>A chat client that answers from a script and records what it was asked.</summary>
internal sealed class ScriptedChatClient(Func<int, string> reply) : IChatClient
{
    public List<string> Requests { get; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        string answer;
        lock (Requests)
        {
            Requests.Add(string.Join("\n", messages.Select(m => m.Text)));
            answer = reply(Requests.Count - 1);
        }

        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)));
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
