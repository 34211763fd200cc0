using Evolve.Agents.Novelty;
using Evolve.Core;
using Evolve.Core.Evaluation;
using Evolve.Engineering.StaticChecks;
using Evolve.Storage;

namespace Evolve.Agents.Llm.Tests;

public sealed class AgentTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("evolve-llm-agents");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public async Task Debug_loop_repairs_a_compile_error_on_its_second_attempt_as_the_static_checker_decides()
    {
        await using var h = await LlmHarness.StartAsync();
        var broken = LlmHarness.Initial.Replace("var n = Centres.GetLength(0);", "var n = Centres.GetLength(0)", StringComparison.Ordinal);
        var stillBroken = LlmHarness.Initial.Replace("var n = Centres.GetLength(0);", "int n = Centres.Length(0);", StringComparison.Ordinal);
        h.Server.Enqueue(
            FakeReply.Chat("The semicolon was missing.\n<program>\n```csharp\n" + stillBroken + "```\n</program>"),
            FakeReply.Chat("<program>\n" + LlmHarness.Initial + "</program>"));
        var checker = new StaticChecker(new CandidateCompiler());
        var debugger = h.Get<IDebugger>();

        var code = broken;
        var check = checker.Check(code, LlmHarness.CirclePacking, Path.Combine(_scratch.FullName, "a0.dll"), CancellationToken.None);
        Assert.Equal(NodeStatus.CompileError, check.Status);
        var attempts = new List<DebugOutcome>();
        for (var attempt = 1; attempt <= 3 && !check.Passed; attempt++)
        {
            var outcome = await debugger.RepairAsync(new DebugRequest(LlmHarness.CirclePacking.ReadProblem(), code,
                check.Diagnostics.Select(d => d.ToString()).ToList(), null, attempt, Round: 12), CancellationToken.None);
            attempts.Add(outcome);
            Assert.True(outcome.Repaired, outcome.FailureReason);
            code = outcome.RepairedCode!;
            check = checker.Check(code, LlmHarness.CirclePacking, Path.Combine(_scratch.FullName, $"a{attempt}.dll"), CancellationToken.None);
        }

        Assert.True(check.Passed, check.Error);
        Assert.Equal([1, 2], attempts.Select(a => a.Attempt));
        Assert.All(attempts, a => Assert.Equal(LlmHarness.Model, a.Model));
        Assert.Contains("CS1002", h.Server.ChatRequests[0].MessagesText, StringComparison.Ordinal); // "; expected" shown to the model
        Assert.Contains("repair attempt 2", h.Server.ChatRequests[1].MessagesText, StringComparison.Ordinal);
        var transcripts = await h.TranscriptsAsync(12);
        Assert.Equal([("debugger", 0), ("debugger", 1)], transcripts.Select(t => (t.Agent, t.Call)));
    }

    [Fact]
    public async Task Novelty_check_sends_a_near_duplicate_to_the_model_which_rejects_it()
    {
        var server = new FakeOpenAiServer();
        await using var h = await LlmHarness.StartAsync(o => o.Embeddings = new LlmEmbeddingsOptions
        {
            Endpoint = server.Endpoint, Model = "fake-embed", ApiKeyEnv = LlmHarness.KeyVariable,
        }, server);
        Assert.IsType<OpenAiEmbeddingGenerator>(h.Get<Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>>());
        server.Enqueue(FakeReply.Chat("```json\n{\"novel\": false, \"reason\": \"Only the loop variable was renamed; same algorithm and parameters.\"}\n```"));
        var renamed = LlmHarness.Initial.Replace("sweep", "pass", StringComparison.Ordinal);
        var existing = new NoveltyReference("n00004", "baseline", "initial program", LlmHarness.Initial);

        var verdict = await h.Get<NoveltyChecker>().CheckAsync(new NoveltyCandidate("renamed", "initial program", renamed, Round: 9),
            [existing], LlmHarness.CirclePacking.ReadProblem(), CancellationToken.None);

        Assert.False(verdict.IsNovel);
        Assert.Equal("n00004", verdict.DuplicateOf);
        Assert.True(verdict.Similarity >= 0.95, $"similarity {verdict.Similarity}");
        Assert.Contains("Only the loop variable was renamed", verdict.Reason, StringComparison.Ordinal);
        Assert.Equal(1000, verdict.Usage!.InputTokens);
        Assert.Contains(server.Requests, r => r.Path.EndsWith("/embeddings", StringComparison.Ordinal) && r.Authorization == "Bearer " + LlmHarness.Key);
        var transcript = Assert.Single(await h.TranscriptsAsync(9));
        Assert.Equal("novelty", transcript.Agent);
        Assert.Contains("n00004", transcript.Messages[1].Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unusable_novelty_reply_falls_back_to_the_offline_judgement_and_says_so()
    {
        await using var h = await LlmHarness.StartAsync();
        h.Server.Enqueue(FakeReply.Chat("Hmm, hard to say."));
        var moved = LlmHarness.Initial.Replace("MaxRadius = 0.1000", "MaxRadius = 0.0900", StringComparison.Ordinal);
        var request = new NoveltyJudgeRequest("task", new NoveltyCandidate("bigger", "radius cap up", moved, 3),
            [new SimilarNode(new NoveltyReference("n00001", "base", "initial", LlmHarness.Initial), 0.99)]);

        var judgement = await h.Get<INoveltyJudge>().JudgeAsync(request, CancellationToken.None);

        Assert.True(judgement.IsNovel); // a real parameter change, by the offline rule
        Assert.Contains("reply was unusable", judgement.Reason, StringComparison.Ordinal);
        Assert.Equal(500, judgement.Usage.OutputTokens);
    }

    [Fact]
    public async Task Analyzer_insights_land_in_the_cognition_store_and_are_retrieved_by_a_later_search()
    {
        await using var h = await LlmHarness.StartAsync();
        h.Server.Enqueue(FakeReply.Chat("""
            {"summary": "Six sweeps resolved the remaining overlaps; the sum of radii rose by 0.04.",
             "insights": ["Running more pairwise shrinking sweeps lets the radii converge and raises the sum of radii.",
                          "Moving circles off the wall grid matters less than convergence of the shrink loop."],
             "next_steps": "Try 10 sweeps, then tune the safety factor.",}
            """));
        var parent = LlmHarness.Node("n00002", LlmHarness.Initial, score: 2.10);
        var candidate = LlmHarness.Node("n00007", LlmHarness.Initial.Replace("Sweeps = 3", "Sweeps = 6", StringComparison.Ordinal), score: 2.14,
            motivation: "more sweeps");
        var stage = new StageResult("full", 0, true, NodeStatus.Ok, new Dictionary<string, double> { ["sum_of_radii"] = 2.14 }, null,
            TimeSpan.FromMilliseconds(120), "done\n", "");
        var cascade = CascadeResult.Combine([stage], 1, "sum_of_radii");

        var report = await h.Get<IAnalyzer>().AnalyzeAsync(new AnalysisRequest(LlmHarness.CirclePacking.ReadProblem(), candidate, cascade, parent, "sum_of_radii", 1),
            CancellationToken.None);
        foreach (var insight in report.Insights)
            await h.Storage.Cognition.AddInsightAsync(new InsightInput(insight, candidate.Id, candidate.Round));

        Assert.Equal(2, report.Insights.Count);
        Assert.Equal("Try 10 sweeps, then tune the safety factor.", report.NextSteps);
        Assert.Equal(LlmHarness.Model, report.Model);
        Assert.Equal(0.006, report.Usage!.CostUsd, 10);
        var prompt = Assert.Single(h.Server.ChatRequests).MessagesText;
        Assert.Contains("n00002", prompt, StringComparison.Ordinal);
        Assert.Contains("+0.04", prompt, StringComparison.Ordinal);
        Assert.Contains("stdout (tail)", prompt, StringComparison.Ordinal);

        var hits = await h.Storage.Cognition.SearchAsync("how many shrinking sweeps should the packing run", 3, 0.0);
        Assert.NotEmpty(hits);
        Assert.Contains("shrinking sweeps", hits[0].Item.Content, StringComparison.Ordinal);
        Assert.Contains("n00007", hits[0].Item.SupportingNodeIds);
        var request = LlmHarness.Request(round: 8, cognition: hits.Select(RetrievedCognition.From).ToList());
        h.Server.Enqueue(FakeReply.Chat("garbage"));
        await h.Get<IResearcher>().ProposeAsync(request, CancellationToken.None);
        Assert.Contains("Running more pairwise shrinking sweeps", h.Server.ChatRequests[1].MessagesText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unusable_analysis_falls_back_to_the_deterministic_report()
    {
        await using var h = await LlmHarness.StartAsync();
        h.Server.Enqueue(FakeReply.Chat("The candidate is great!"));
        var candidate = LlmHarness.Node("n00003", "class X {}", score: null, status: NodeStatus.CompileError, error: "(1,1): CS0000: broken");

        var report = await h.Get<IAnalyzer>().AnalyzeAsync(new AnalysisRequest("task", candidate, null, null, "sum_of_radii", 2), CancellationToken.None);

        Assert.Contains("compile_error", report.Summary, StringComparison.Ordinal);
        Assert.Contains("reply was unusable", report.Summary, StringComparison.Ordinal);
        Assert.NotEmpty(report.Insights);
        Assert.Contains("no JSON object", Assert.Single(await h.TranscriptsAsync(3)).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Judge_scores_on_the_rubric_and_asks_once_more_after_an_unusable_answer()
    {
        await using var h = await LlmHarness.StartAsync(o => o.Judge.Enabled = true);
        h.Server.Enqueue(FakeReply.Chat("{\"score\": 7, \"rationale\": \"good\"}"), FakeReply.Chat("{\"score\": 0.7, \"rationale\": \"Readable, bounded loops.\"}"));
        var candidate = LlmHarness.Node("n00005", LlmHarness.Initial);

        var score = await h.Get<IJudge>().ScoreAsync(new JudgeRequest("task", "Is the code readable and bounded?", candidate), CancellationToken.None);

        Assert.Equal(0.7, score.Validated().Score, 10);
        Assert.Equal("Readable, bounded loops.", score.Rationale);
        Assert.Equal(2000, score.Usage.InputTokens);
        Assert.Contains("from 0 to 1", h.Server.ChatRequests[1].MessagesText, StringComparison.Ordinal);
    }
}
