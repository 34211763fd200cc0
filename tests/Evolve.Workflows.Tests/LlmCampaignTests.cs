using Evolve.Agents;
using Evolve.Agents.Llm.Tests;
using Evolve.Agents.Offline;
using Evolve.Core;
using Evolve.Durable.Tests.Processes;
using Evolve.Workflows.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Evolve.Workflows.Tests;

/// <summary>
/// Campaigns whose <c>llm:</c> section points at <see cref="FakeOpenAiServer"/> (a real HTTP server on loopback with
/// scripted replies): the real round workflow, sidecar, storage, static check and sandbox around the LLM agents. Each
/// campaign enables only the agents under test and runs one round at a time, so the replies are consumed in order.
/// </summary>
public sealed class LlmCampaignTests
{
    private const string KeyVariable = "EVOLVE_WORKFLOW_TEST_LLM_KEY";
    private const string Model = "fake-model";

    static LlmCampaignTests() => Environment.SetEnvironmentVariable(KeyVariable, "sk-workflow-test");

    private static string Initial => TestHost.CirclePacking.ReadInitialProgram();

    /// <summary>The initial program with one centre moved: valid, different, and close to the initial program.</summary>
    private static string Moved(string to = "0.0801") => Initial.Replace("{ 0.0833, 0.1000 }", $"{{ {to}, 0.1000 }}");

    private static FakeReply Proposal(string name, string program) =>
        FakeReply.Chat($"<name>{name}</name>\n<motivation>Move the first centre towards the corner to free space.</motivation>\n<program>\n{program}\n</program>");

    /// <summary>A campaign YAML: the fake endpoint, fast retries, a price table, and the given agent sections.</summary>
    private static string CampaignYaml(FakeOpenAiServer server, string agents, string extra = "") => $"""
        llm:
          endpoint: {server.Endpoint}
          model: {Model}
          api_key_env: {KeyVariable}
          timeout_seconds: 30
          retry: {"{"} max_attempts: 3, initial_delay_seconds: 0.01, max_delay_seconds: 0.05 {"}"}
          prices:
            {Model}: {"{"} input_per_million: 2.0, output_per_million: 8.0 {"}"}
        {agents}
        {extra}
        """;

    private static async Task<PreparedCampaign> StartAsync(TestHost host, string name, string yaml, params (string Key, string Value)[] settings)
    {
        var config = Path.Combine(host.Root, name + ".yaml");
        await File.WriteAllTextAsync(config, yaml);
        var campaign = CampaignLauncher.Prepare(TestHost.CirclePacking, Path.Combine(host.Root, name), config,
            CampaignConfiguration.FlagLayer(settings.Append(("budgets.parallel", "1")).ToDictionary(s => s.Item1, s => (string?)s.Item2)));
        await CampaignLauncher.StartOrResumeAsync(host.Client, campaign, CancellationToken.None);
        return campaign;
    }

    private static async Task<Dictionary<long, Node>> NodesAsync(TestHost host, PreparedCampaign campaign) =>
        (await (await host.StorageAsync(campaign)).Nodes.AllAsync().ToListAsync()).ToDictionary(n => n.Round);

    private const string ResearcherOnly = """
          debugger: { enabled: false }
          analyzer: { enabled: false }
          novelty: { enabled: false }
        """;

    [Fact]
    public async Task Full_program_rounds_survive_garbage_cut_off_replies_and_a_429_and_every_call_is_recorded()
    {
        await using var server = new FakeOpenAiServer();
        var half = Moved()[..(Moved().Length / 2)];
        server.Enqueue(
            Proposal("Corner move", Moved()),                                              // round 1: ok
            FakeReply.Chat("I'm sorry, I can't help with circle packing today."),            // round 2: garbage
            FakeReply.Chat("<name>Half</name><motivation>m</motivation>\n<program>\n" + half, finishReason: "length"), // round 3: cut off
            FakeReply.Error(429, retryAfter: "0"), Proposal("After a 429", Moved("0.0811"))); // round 4: retried, ok
        await using var host = await TestHost.StartAsync();
        var campaign = await StartAsync(host, "full", CampaignYaml(server, ResearcherOnly), ("budgets.rounds", "4"));

        var (_, result) = await host.WaitAsync(campaign);

        Assert.Equal(StopReasons.RoundsDone, result.StopReason);
        var nodes = await NodesAsync(host, campaign);
        Assert.True(nodes[1].Status == NodeStatus.Ok, $"{nodes[1].Status}: {nodes[1].Error}");
        Assert.Equal(Moved(), nodes[1].Code);
        Assert.Equal("Corner move", nodes[1].Name);
        Assert.Equal("llm", nodes[1].Provenance.ResearcherKind);
        Assert.Equal(Model, nodes[1].Provenance.Model);
        Assert.Equal(1000, nodes[1].Costs.InputTokens);
        Assert.Equal(0.006, nodes[1].Costs.CostUsd, 9);
        Assert.Equal(NodeStatus.ResearchFailed, nodes[2].Status);
        Assert.Contains("motivation", nodes[2].Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(NodeStatus.ResearchFailed, nodes[3].Status);
        Assert.Contains("cut off", nodes[3].Error, StringComparison.OrdinalIgnoreCase);
        Assert.Null(nodes[3].Code); // never half a program
        Assert.True(nodes[4].Status == NodeStatus.Ok, $"{nodes[4].Status}: {nodes[4].Error}");
        Assert.Equal(Moved("0.0811"), nodes[4].Code);
        Assert.Equal(0, server.Pending);
        Assert.Equal(5, server.ChatRequests.Count);
        Assert.All(server.ChatRequests, r => Assert.Equal("Bearer sk-workflow-test", r.Authorization));

        // The failed replies count: the nodes carry their tokens, the campaign sums them, the transcripts keep every call.
        Assert.Equal(4 * 1500, result.Tokens);
        Assert.Equal(4 * 0.006, result.CostUsd, 9);
        var storage = await host.StorageAsync(campaign);
        var transcripts = await storage.Transcripts.ForRoundAsync(2, CancellationToken.None);
        Assert.StartsWith("I'm sorry", Assert.Single(transcripts).Reply, StringComparison.Ordinal);
        Assert.NotNull(Assert.Single(transcripts).Error);
        var totals = await storage.Transcripts.TotalsAsync();
        Assert.True(totals.Calls >= 4, $"{totals}");
        Assert.True(totals.FailedCalls >= 2, $"{totals}");
        // The effective configuration keeps the llm section (without the key) for workers that reopen the campaign.
        var saved = await File.ReadAllTextAsync(Path.Combine(campaign.CampaignDirectory, CampaignConfiguration.EffectiveFileName));
        Assert.Contains(server.Endpoint, saved);
        Assert.DoesNotContain("sk-workflow-test", saved);
        Assert.Equal(server.Endpoint, CampaignConfiguration.LoadEffective(campaign.CampaignDirectory).Settings.Llm.Defaults.Endpoint);
    }

    [Fact]
    public async Task A_diff_that_breaks_the_build_is_repaired_by_the_llm_debugger_on_its_second_attempt()
    {
        await using var server = new FakeOpenAiServer();
        var broken = Initial.Replace("    private const int Sweeps = 3;", "    private const int Sweeps = 3");
        server.Enqueue(
            FakeReply.Chat("<name>More sweeps</name><motivation>More shrinking sweeps settle the radii.</motivation>\n<<<<<<< SEARCH\n    private const int Sweeps = 3;\n=======\n    private const int Sweeps = 3\n>>>>>>> REPLACE\n"),
            FakeReply.Chat("<program>\n" + broken.Replace("Sweeps = 3", "Sweeps = 4") + "\n</program>"),  // attempt 1: still broken
            FakeReply.Chat("<program>\n" + Moved() + "\n</program>"));                                    // attempt 2: compiles
        await using var host = await TestHost.StartAsync();
        var agents = """
              researcher: { mode: diff }
              analyzer: { enabled: false }
              novelty: { enabled: false }
            """;
        var campaign = await StartAsync(host, "diff", CampaignYaml(server, agents), ("budgets.rounds", "1"), ("budgets.debug_retries", "3"));

        await host.WaitAsync(campaign);

        var node = (await NodesAsync(host, campaign))[1];
        Assert.True(node.Status == NodeStatus.Ok, $"{node.Status}: {node.Error}\n{node.Analysis}");
        Assert.Equal(Moved(), node.Code);
        Assert.Contains("debug attempt 1: repaired by fake-model; static check compile_error", node.Analysis);
        Assert.Contains("debug attempt 2: repaired by fake-model; static check ok", node.Analysis);
        Assert.Equal(3 * 1000, node.Costs.InputTokens);
        var requests = server.ChatRequests;
        Assert.Equal(3, requests.Count);
        Assert.Contains("CS1002", requests[1].MessagesText); // the compiler's diagnostics went to the debugger
        var transcripts = await (await host.StorageAsync(campaign)).Transcripts.ForRoundAsync(1, CancellationToken.None);
        Assert.Equal(["debugger", "debugger", "researcher"], transcripts.Select(t => t.Agent).Order().ToArray());
    }

    [Fact]
    public async Task A_crash_in_the_first_stage_goes_to_the_debugger_with_the_runtime_error_and_the_repair_is_evaluated()
    {
        await using var server = new FakeOpenAiServer();
        server.Enqueue(FakeReply.Chat("<program>\n" + Moved() + "\n</program>"));
        await using var host = await TestHost.StartAsync(services => services.AddSingleton<IResearcher>(
            new ScriptedResearcher(new OfflineResearcher(new OfflineResearcherOptions())) { Script = round => round == 1 ? Corpus.Read("throws") : null }));
        var agents = """
              researcher: { enabled: false }
              analyzer: { enabled: false }
              novelty: { enabled: false }
            """;
        var campaign = await StartAsync(host, "crash", CampaignYaml(server, agents), ("budgets.rounds", "1"), ("budgets.debug_retries", "2"));

        await host.WaitAsync(campaign);

        var node = (await NodesAsync(host, campaign))[1];
        Assert.Equal("scripted", node.Provenance.ResearcherKind); // the application's researcher where the campaign configures none
        Assert.True(node.Status == NodeStatus.Ok, $"{node.Status}: {node.Error}\n{node.Analysis}");
        Assert.Equal(Moved(), node.Code);
        Assert.Contains("debug attempt 1 (runtime crash): repaired by fake-model; static check ok", node.Analysis);
        Assert.Contains("no packing found for 26 circles", Assert.Single(server.ChatRequests).MessagesText);
    }

    [Fact]
    public async Task Analyzer_insights_reach_the_cognition_store_and_the_next_rounds_prompt_and_the_novelty_judge_rejects_a_near_duplicate()
    {
        await using var server = new FakeOpenAiServer();
        const string insight = "Moving corner circles outward frees room for the interior ones (zq-insight-7)";
        var analysis = FakeReply.Chat($$"""{"summary": "The corner move worked.", "insights": ["{{insight}}"], "next_steps": "Move the other corners."}""");
        server.Enqueue(
            analysis,                                                                        // round 0: analyzer
            Proposal("Corner move", Moved()), analysis,                                      // round 1: researcher, analyzer
            Proposal("Tiny nudge", Moved("0.0802")),                                         // round 2: researcher
            analysis);                                                                       // round 2: analyzer of the duplicate
        // The novelty judge is asked beside the static check (when the candidate is similar enough), so it answers by content.
        server.Respond = request => !request.MessagesText.Contains("\"novel\": true or false", StringComparison.Ordinal) ? null
            : request.MessagesText.Contains("Tiny nudge", StringComparison.Ordinal)
                ? FakeReply.Chat("""{"novel": false, "reason": "only nudges the same centre by 0.0001"}""")
                : FakeReply.Chat("""{"novel": true, "reason": "a different centre table"}""");
        await using var host = await TestHost.StartAsync();
        var campaign = await StartAsync(host, "cognition", CampaignYaml(server, "  debugger: { enabled: false }"), ("budgets.rounds", "2"),
            ("cognition.min_similarity", "-1"), ("cognition.top_k", "20"), ("novelty.similarity_threshold", "0.9"));

        await host.WaitAsync(campaign);

        var nodes = await NodesAsync(host, campaign);
        Assert.True(nodes[1].Status == NodeStatus.Ok, $"{nodes[1].Status}: {nodes[1].Error}");
        Assert.Equal(0, server.Pending);
        var storage = await host.StorageAsync(campaign);
        var items = await storage.Cognition.ListAsync();
        Assert.Contains(items, i => i.Content.Contains("zq-insight-7", StringComparison.Ordinal));
        // Round 1's researcher saw round 0's insight among the retrieved cognition; round 2's likewise.
        var researcherPrompts = server.ChatRequests.Where(r => r.MessagesText.Contains("## Program to improve", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, researcherPrompts.Count);
        Assert.All(researcherPrompts, p => Assert.Contains("zq-insight-7", p.MessagesText));
        Assert.Equal(NodeStatus.Duplicate, nodes[2].Status);
        Assert.Contains("only nudges the same centre", nodes[2].Error);
        var novelty = (await storage.Transcripts.ForRoundAsync(2, CancellationToken.None)).Single(t => t.Agent == "novelty");
        Assert.Contains("Tiny nudge", string.Join("\n", novelty.Messages.Select(m => m.Content)));
    }

    [Fact]
    public async Task The_judges_score_is_blended_into_the_node_score_with_judge_weight_and_an_unusable_judge_is_skipped()
    {
        await using var server = new FakeOpenAiServer();
        server.Enqueue(
            Proposal("Judged", Moved()), FakeReply.Chat("""{"score": 1.0, "rationale": "clean, well-motivated change"}"""),
            Proposal("Unjudged", Moved("0.0811")), FakeReply.Chat("no idea"), FakeReply.Chat("still no idea"));
        await using var host = await TestHost.StartAsync();
        var agents = ResearcherOnly + "\n  judge: { temperature: 0 }";
        var campaign = await StartAsync(host, "judge", CampaignYaml(server, agents), ("budgets.rounds", "2"), ("judge.weight", "0.5"));

        await host.WaitAsync(campaign);

        var nodes = await NodesAsync(host, campaign);
        var metric = TestHost.CirclePacking.PrimaryMetric;
        Assert.True(nodes[1].Status == NodeStatus.Ok, $"{nodes[1].Status}: {nodes[1].Error}");
        Assert.Equal(0.5 * nodes[1].Metrics[metric] + 0.5 * 1.0, nodes[1].Score!.Value, 9);
        Assert.Contains("judge: 1 (weight 0.5): clean, well-motivated change", nodes[1].Analysis);
        Assert.Equal(2 * 1000, nodes[1].Costs.InputTokens); // researcher + judge
        Assert.True(nodes[2].Status == NodeStatus.Ok, $"{nodes[2].Status}: {nodes[2].Error}");
        Assert.Equal(nodes[2].Metrics[metric], nodes[2].Score!.Value, 9); // judging skipped: the measured score
        Assert.Contains("judge skipped", nodes[2].Analysis);
        Assert.Equal(3 * 1000, nodes[2].Costs.InputTokens); // the rejected judge replies still count
        Assert.Equal(0, server.Pending);
    }

    [Fact]
    public async Task A_cost_budget_stops_the_campaign_with_the_spend_in_its_result_and_status()
    {
        await using var server = new FakeOpenAiServer();
        server.Enqueue(Proposal("First", Moved()), Proposal("Second", Moved("0.0811")), Proposal("Third", Moved("0.0821")));
        await using var host = await TestHost.StartAsync();
        var campaign = await StartAsync(host, "budget", CampaignYaml(server, ResearcherOnly), ("budgets.rounds", "10"), ("budgets.max_cost_usd", "0.01"));

        var (state, result) = await host.WaitAsync(campaign);

        Assert.Equal(StopReasons.BudgetExhausted, result.StopReason);
        Assert.Contains("max_cost_usd: spent $0.012 of $0.01", result.StopDetail);
        Assert.Equal(2, result.RoundsDone);
        Assert.Equal(0.012, result.CostUsd, 9);
        var status = state.ReadCustomStatusAs<CampaignStatus>()!;
        Assert.Equal(0.012, status.CostUsd, 9);
        Assert.Equal(3000, status.Tokens);
        Assert.Equal(StopReasons.BudgetExhausted, status.StopReason);
        Assert.Equal(1, server.Pending); // no round after the budget ran out
    }

    [Fact]
    public async Task A_rejected_api_key_stops_the_campaign_with_the_endpoints_message_instead_of_burning_rounds()
    {
        await using var server = new FakeOpenAiServer();
        server.Enqueue(FakeReply.Error(401));
        await using var host = await TestHost.StartAsync();
        var campaign = await StartAsync(host, "unauthorized", CampaignYaml(server, ResearcherOnly), ("budgets.rounds", "10"));

        var (_, result) = await host.WaitAsync(campaign);

        Assert.Equal(StopReasons.ConfigurationError, result.StopReason);
        Assert.Contains("HTTP 401", result.StopDetail);
        Assert.Contains("api_key_env", result.StopDetail);
        Assert.Equal(0, result.RoundsDone);
        Assert.Single(server.ChatRequests); // not retried, no further rounds
        Assert.Null(await (await host.StorageAsync(campaign)).Nodes.GetByRoundAsync(1)); // a restart runs it again
    }

    [Fact]
    public async Task Evolve_run_with_an_llm_campaign_file_reports_the_spend_and_evolve_node_shows_the_transcripts()
    {
        await using var server = new FakeOpenAiServer();
        server.Enqueue(Proposal("Corner move", Moved()));
        var root = Directory.CreateTempSubdirectory("evolve-llm-cli-").FullName;
        try
        {
            var config = Path.Combine(root, "campaign.yaml");
            await File.WriteAllTextAsync(config, CampaignYaml(server, ResearcherOnly));
            var directory = Path.Combine(root, "campaign");

            await using (var run = EvolveProcess.Start("run", "circle-packing", "--campaign-dir", directory, "--config", config, "--rounds", "1"))
            {
                Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(180)) == 0, run.Output);
                Assert.Contains("finished: rounds_done", run.Output);
                Assert.Contains("1500 tokens, $0.006", run.Output);
                Assert.Contains("model calls: 1 (0 failed or rejected), 1000 input + 500 output tokens, $0.006", run.Output);
            }
            await using var node = EvolveProcess.Start("node", "r00001", "--campaign-dir", directory, "--transcripts");
            Assert.True(await node.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, node.Output);
            Assert.Contains("researcher", node.Output);
            Assert.Contains("Move the first centre towards the corner", node.Output);
            Assert.Contains(Model, node.Output);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
