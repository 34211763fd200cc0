using Evolve.Agents.Novelty;
using Evolve.Engineering.StaticChecks;

namespace Evolve.Agents.Llm.Tests;

public sealed class ResearcherTests
{
    private static string Improved => LlmHarness.Initial.Replace("private const int Sweeps = 3;", "private const int Sweeps = 6;", StringComparison.Ordinal);

    [Fact]
    public async Task Full_mode_reply_in_a_code_fence_becomes_a_proposal_that_compiles_with_tokens_and_cost_from_the_price_table()
    {
        await using var h = await LlmHarness.StartAsync();
        h.Server.Enqueue(FakeReply.Chat(
            "Here is my proposal.\n<name>More shrink sweeps</name>\n<motivation>Three sweeps leave overlaps unresolved; six converge.</motivation>\n" +
            "<program>\n```csharp\n" + Improved + "```\n</program>\n", promptTokens: 1200, completionTokens: 800));

        var outcome = await h.Get<IResearcher>().ProposeAsync(LlmHarness.Request(round: 3), CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.FailureReason);
        var proposal = outcome.Proposal!;
        Assert.Equal("More shrink sweeps", proposal.Name);
        Assert.StartsWith("Three sweeps", proposal.Motivation, StringComparison.Ordinal);
        Assert.Equal(CodeNormalizer.Normalize(Improved), CodeNormalizer.Normalize(proposal.Code));
        Assert.Equal(ProposalMode.Full, proposal.Mode);
        Assert.Equal("llm", proposal.ResearcherKind);
        Assert.Equal(LlmHarness.Model, proposal.Model);
        // 1200 × $2/M + 800 × $8/M
        Assert.Equal(1200, proposal.Usage.InputTokens);
        Assert.Equal(800, proposal.Usage.OutputTokens);
        Assert.Equal(0.0088, proposal.Usage.CostUsd, 10);

        var scratch = Directory.CreateTempSubdirectory("evolve-llm-check");
        try
        {
            var check = new StaticChecker(new CandidateCompiler()).Check(proposal.Code, LlmHarness.CirclePacking, Path.Combine(scratch.FullName, "c.dll"), CancellationToken.None);
            Assert.True(check.Passed, check.Error);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }

        var request = Assert.Single(h.Server.ChatRequests);
        Assert.Equal("Bearer " + LlmHarness.Key, request.Authorization);
        Assert.Equal(LlmHarness.Model, request.Json["model"]!.GetValue<string>());
        Assert.Contains("## Task", request.MessagesText, StringComparison.Ordinal);
        Assert.Contains("private const int Sweeps = 3;", request.MessagesText, StringComparison.Ordinal);

        var transcript = Assert.Single(await h.TranscriptsAsync(3));
        Assert.Equal(("researcher", 3L, 0), (transcript.Agent, transcript.Round, transcript.Call));
        Assert.Null(transcript.Error);
        Assert.Equal(1200, transcript.InputTokens);
        Assert.Equal(0.0088, transcript.CostUsd, 10);
        Assert.Contains("More shrink sweeps", transcript.Reply, StringComparison.Ordinal);
        Assert.Equal(["system", "user"], transcript.Messages.Select(m => m.Role));
    }

    [Fact]
    public async Task Diff_mode_applies_search_replace_blocks_to_the_root()
    {
        await using var h = await LlmHarness.StartAsync(o => o.Researcher.Mode = ProposalMode.Diff);
        h.Server.Enqueue(FakeReply.Chat(
            "<name>Bigger start radius</name>\n<motivation>Circles start small; a larger cap lets corner circles grow.</motivation>\n<diff>\n" +
            "<<<<<<< SEARCH\n    private const double MaxRadius = 0.1000;\n=======\n    private const double MaxRadius = 0.1200;\n>>>>>>> REPLACE\n" +
            "<<<<<<< SEARCH\n  private const int Sweeps = 3;\n=======\n    private const int Sweeps = 5;\n>>>>>>> REPLACE\n</diff>"));

        var outcome = await h.Get<IResearcher>().ProposeAsync(LlmHarness.Request(round: 4), CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.FailureReason);
        Assert.Equal(ProposalMode.Diff, outcome.Proposal!.Mode);
        Assert.Contains("MaxRadius = 0.1200;", outcome.Proposal.Code, StringComparison.Ordinal);
        // The second block was indented differently from the program: matched line by line.
        Assert.Contains("Sweeps = 5;", outcome.Proposal.Code, StringComparison.Ordinal);
        Assert.DoesNotContain("MaxRadius = 0.1000", outcome.Proposal.Code, StringComparison.Ordinal);
        Assert.Contains("SEARCH/REPLACE", Assert.Single(h.Server.ChatRequests).MessagesText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unmatched_search_text_is_a_recorded_failure_and_one_retry_shows_the_model_the_mismatch()
    {
        await using var h = await LlmHarness.StartAsync(o => o.Researcher.Mode = ProposalMode.Diff);
        h.Server.Enqueue(
            FakeReply.Chat("<name>Tune</name><motivation>More sweeps.</motivation>\n<<<<<<< SEARCH\nconst int Sweeps = 4;\n=======\nconst int Sweeps = 8;\n>>>>>>> REPLACE\n"),
            FakeReply.Chat("<name>Tune</name><motivation>More sweeps.</motivation>\n<<<<<<< SEARCH\n    private const int Sweeps = 3;\n=======\n    private const int Sweeps = 8;\n>>>>>>> REPLACE\n"));

        var outcome = await h.Get<IResearcher>().ProposeAsync(LlmHarness.Request(round: 5), CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.FailureReason);
        Assert.Contains("Sweeps = 8;", outcome.Proposal!.Code, StringComparison.Ordinal);
        Assert.Equal(2000, outcome.Usage.InputTokens); // both calls counted
        var retry = h.Server.ChatRequests[1];
        Assert.Contains("does not occur in the program", retry.MessagesText, StringComparison.Ordinal);
        Assert.Contains("const int Sweeps = 4;", retry.MessagesText, StringComparison.Ordinal);
        var transcripts = await h.TranscriptsAsync(5);
        Assert.Equal([0, 1], transcripts.Select(t => t.Call));
        Assert.Contains("does not occur", transcripts[0].Error, StringComparison.Ordinal);
        Assert.Null(transcripts[1].Error);
        Assert.Equal(["system", "user", "assistant", "user"], transcripts[1].Messages.Select(m => m.Role));
    }

    [Fact]
    public async Task A_diff_that_still_does_not_match_after_the_retry_is_a_failure_naming_both_attempts()
    {
        await using var h = await LlmHarness.StartAsync(o => o.Researcher.Mode = ProposalMode.Diff);
        var wrong = FakeReply.Chat("<name>x</name><motivation>y</motivation>\n<<<<<<< SEARCH\nno such line\n=======\nother\n>>>>>>> REPLACE\n");
        h.Server.Enqueue(wrong, wrong);

        var outcome = await h.Get<IResearcher>().ProposeAsync(LlmHarness.Request(round: 6), CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Contains("after one retry", outcome.FailureReason, StringComparison.Ordinal);
        Assert.Equal(2, h.Server.ChatRequests.Count);
        Assert.Equal(2 * (1000 * 2.0 + 500 * 8.0) / 1e6, outcome.Usage.CostUsd, 10);
    }

    [Fact]
    public async Task A_garbage_reply_is_a_failure_with_a_clear_reason_and_its_transcript_is_kept()
    {
        await using var h = await LlmHarness.StartAsync();
        h.Server.Enqueue(FakeReply.Chat("I'm sorry, as a language model I cannot help with circle packing today."));

        var outcome = await h.Get<IResearcher>().ProposeAsync(LlmHarness.Request(round: 7), CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Contains("no <motivation>", outcome.FailureReason, StringComparison.Ordinal);
        Assert.Equal(500, outcome.Usage.OutputTokens);
        var transcript = Assert.Single(await h.TranscriptsAsync(7));
        Assert.Equal(outcome.FailureReason, transcript.Error);
        Assert.StartsWith("I'm sorry", transcript.Reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reply_cut_off_at_the_token_limit_is_rejected_never_truncated()
    {
        await using var h = await LlmHarness.StartAsync();
        var half = Improved[..(Improved.Length / 2)];
        h.Server.Enqueue(
            FakeReply.Chat("<name>n</name><motivation>m</motivation>\n<program>\n```csharp\n" + half, finishReason: "length"),
            FakeReply.Chat("<name>n</name><motivation>m</motivation>\n<program>\n" + half));

        var researcher = h.Get<IResearcher>();
        var byLength = await researcher.ProposeAsync(LlmHarness.Request(round: 8), CancellationToken.None);
        var byBraces = await researcher.ProposeAsync(LlmHarness.Request(round: 9), CancellationToken.None);

        Assert.False(byLength.Succeeded);
        Assert.Contains("finish_reason=length", byLength.FailureReason, StringComparison.Ordinal);
        Assert.False(byBraces.Succeeded);
        Assert.Contains("cut off mid-program", byBraces.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prompt_drops_whole_context_programs_to_fit_the_budget_and_says_so()
    {
        await using var h = await LlmHarness.StartAsync(o => o.Researcher.PromptTokenBudget = 2_500);
        h.Server.Enqueue(FakeReply.Chat("garbage"));
        var context = Enumerable.Range(1, 6).Select(i => LlmHarness.Node($"n{i:D5}", LlmHarness.Initial.Replace("0.0833, 0.1000", $"0.08{i}, 0.1000", StringComparison.Ordinal), 2.0 + i / 10.0)).ToList();
        var cognition = new[] { new RetrievedCognition("ins-1", "Corner circles gain most from a larger radius cap.", 0.8) };

        await h.Get<IResearcher>().ProposeAsync(LlmHarness.Request(round: 2, context: context, cognition: cognition), CancellationToken.None);

        var prompt = Assert.Single(h.Server.ChatRequests).MessagesText;
        Assert.Contains("Corner circles gain most", prompt, StringComparison.Ordinal);
        Assert.Contains("Left out to fit the prompt", prompt, StringComparison.Ordinal);
        // Every program in the prompt is whole: as many closing as opening code fences, and each fenced program balances.
        var blocks = prompt.Split("```csharp\n").Skip(1).Select(b => b[..b.IndexOf("```", StringComparison.Ordinal)]).ToList();
        Assert.InRange(blocks.Count, 1, 6);
        Assert.All(blocks, b => Assert.Null(ProgramCompleteness.Problem(b, replyCutOff: false)));
        Assert.True(PromptTokens(prompt) <= 2_500 + 100, $"prompt ~{PromptTokens(prompt)} tokens");
    }

    [Fact]
    public async Task Weighted_researcher_models_are_chosen_per_round_and_seed_deterministically()
    {
        var server = new FakeOpenAiServer(); // disposed by the harness
        await using var h = await LlmHarness.StartAsync(o =>
        {
            o.Researcher.Models.Add(new WeightedModel { Weight = 3, Settings = { Model = "big" } });
            o.Researcher.Models.Add(new WeightedModel { Weight = 1, Settings = { Model = "small" } });
        }, server);
        var picks = Enumerable.Range(0, 400).Select(r => ResearcherModelChooser.Choose(h.Options, 11, r).Model).ToList();
        Assert.Equal(picks, Enumerable.Range(0, 400).Select(r => ResearcherModelChooser.Choose(h.Options, 11, r).Model));
        Assert.InRange(picks.Count(p => p == "big"), 260, 340);
        Assert.NotEqual(picks, Enumerable.Range(0, 400).Select(r => ResearcherModelChooser.Choose(h.Options, 12, r).Model));

        server.Enqueue(FakeReply.Chat("garbage"));
        var outcome = await h.Get<IResearcher>().ProposeAsync(LlmHarness.Request(round: 17, seed: 11), CancellationToken.None);
        Assert.Equal(picks[17], outcome.Model);
        Assert.Equal(picks[17], server.ChatRequests[0].Json["model"]!.GetValue<string>());
    }

    private static int PromptTokens(string text) => text.Length / 4;
}
