using Evolve.Agents;
using Evolve.Agents.Offline;
using Evolve.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Evolve.Workflows.Tests;

/// <summary>Operator events, budgets and agent outages on real campaigns.</summary>
public sealed class EventAndBudgetTests
{
    [Fact]
    public async Task Pause_holds_new_rounds_add_cognition_stores_the_item_resume_continues_and_stop_ends_with_the_reason()
    {
        await using var host = await TestHost.StartAsync();
        var campaign = await host.StartAsync(TestHost.CirclePacking, "events", ("budgets.rounds", "200"), ("budgets.parallel", "1"));
        await host.WaitForStatusAsync(campaign, s => s.RoundsDone >= 2);

        await host.Client.RaiseEventAsync(campaign.InstanceId, EvolutionCampaignWorkflow.Events.Pause);
        var paused = await host.WaitForStatusAsync(campaign, s => s.Phase == "paused" && s.InFlight == 0);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var stillPaused = await host.WaitForStatusAsync(campaign, _ => true);
        Assert.Equal(("paused", paused.RoundsDone), (stillPaused.Phase, stillPaused.RoundsDone));

        // Cognition can be added while paused.
        const string insight = "Operator note: push the circles of the two short rows towards the empty corner.";
        await host.Client.RaiseEventAsync(campaign.InstanceId, EvolutionCampaignWorkflow.Events.AddCognition, insight);
        var storage = await host.StorageAsync(campaign);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        CognitionItem? added = null;
        while (added is null && DateTime.UtcNow < deadline)
        {
            added = (await storage.Cognition.ListAsync(CognitionOrigin.Seed)).FirstOrDefault(i => i.Content == insight);
            await Task.Delay(50);
        }
        Assert.NotNull(added);
        Assert.Equal("operator", added.Source);

        await host.Client.RaiseEventAsync(campaign.InstanceId, EvolutionCampaignWorkflow.Events.Resume);
        await host.WaitForStatusAsync(campaign, s => s.Phase == "running" && s.RoundsDone >= paused.RoundsDone + 2);

        await host.Client.RaiseEventAsync(campaign.InstanceId, EvolutionCampaignWorkflow.Events.Stop, "enough for today");
        var (state, result) = await host.WaitAsync(campaign);

        Assert.Equal(StopReasons.StoppedByOperator, result.StopReason);
        Assert.Contains("enough for today", result.StopDetail);
        Assert.InRange(result.RoundsDone, paused.RoundsDone + 2, 199);
        Assert.Equal(StopReasons.StoppedByOperator, state.ReadCustomStatusAs<CampaignStatus>()!.StopReason);
        // Stopping drains the round in flight: no gaps.
        var nodes = await storage.Nodes.AllAsync().ToListAsync();
        Assert.Equal(Enumerable.Range(0, (int)result.RoundsDone + 1).Select(r => (long)r), nodes.Select(n => n.Round));
    }

    [Fact]
    public async Task Target_score_stops_the_campaign_with_the_reason()
    {
        await using var host = await TestHost.StartAsync();
        var campaign = await host.StartAsync(TestHost.CirclePacking, "target", ("budgets.rounds", "50"), ("budgets.target_score", "0.5"));

        var (_, result) = await host.WaitAsync(campaign);

        Assert.Equal(StopReasons.TargetReached, result.StopReason);
        Assert.Contains("reached the target 0.5", result.StopDetail);
        Assert.Equal(0, result.RoundsDone); // the initial program already scores above 0.5
    }

    [Fact]
    public async Task Cost_and_token_budgets_stop_the_campaign_naming_the_budget_and_the_spend()
    {
        await using var host = await TestHost.StartAsync(services => services.AddSingleton<IResearcher>(
            new ScriptedResearcher(new OfflineResearcher(new OfflineResearcherOptions())) { UsagePerCall = new TokenUsage(1000, 500, 0.01) }));

        var cost = await host.StartAsync(TestHost.CirclePacking, "cost", ("budgets.rounds", "100"), ("budgets.parallel", "1"),
            ("budgets.max_cost_usd", "0.03"));
        var (_, costResult) = await host.WaitAsync(cost);
        Assert.Equal(StopReasons.BudgetExhausted, costResult.StopReason);
        Assert.StartsWith("max_cost_usd: spent $0.03 of $0.03", costResult.StopDetail);
        Assert.Equal(3, costResult.RoundsDone);
        var nodes = await (await host.StorageAsync(cost)).Nodes.AllAsync().ToListAsync();
        Assert.Equal(0.03, nodes.Sum(n => n.Costs.CostUsd), 9);
        Assert.All(nodes.Skip(1), n => Assert.Equal((1000L, 500L), (n.Costs.InputTokens, n.Costs.OutputTokens)));

        var tokens = await host.StartAsync(TestHost.CirclePacking, "tokens", ("budgets.rounds", "100"), ("budgets.parallel", "2"),
            ("budgets.max_tokens", "6000"));
        var (_, tokenResult) = await host.WaitAsync(tokens);
        Assert.Equal(StopReasons.BudgetExhausted, tokenResult.StopReason);
        Assert.StartsWith("max_tokens: spent", tokenResult.StopDetail);
        Assert.InRange(tokenResult.Tokens, 6000, 7500); // a round in flight when the budget ran out still finishes
    }

    [Fact]
    public async Task Wall_time_budget_stops_starting_rounds()
    {
        await using var host = await TestHost.StartAsync();
        var campaign = await host.StartAsync(TestHost.CirclePacking, "wall", ("budgets.rounds", "100000"), ("budgets.wall_time_minutes", "0.05"));

        var (_, result) = await host.WaitAsync(campaign);

        Assert.Equal(StopReasons.BudgetExhausted, result.StopReason);
        Assert.StartsWith("wall_time_minutes", result.StopDetail);
        Assert.InRange(result.RoundsDone, 0, 1000);
        Assert.True(result.WallSeconds >= 3, $"stopped after {result.WallSeconds} s");
    }

    [Fact]
    public async Task Agent_outage_waits_on_a_durable_timer_and_runs_the_round_again_instead_of_committing_a_failure()
    {
        ScriptedResearcher researcher = new(new OfflineResearcher(new OfflineResearcherOptions())) { RetryAfter = TimeSpan.FromSeconds(1) };
        researcher.OutagesLeft[2] = 2; // round 2: two outages, then the endpoint is back
        await using var host = await TestHost.StartAsync(services => services.AddSingleton<IResearcher>(researcher));
        var campaign = await host.StartAsync(TestHost.CirclePacking, "outage", ("budgets.rounds", "3"), ("budgets.parallel", "1"));

        var (_, result) = await host.WaitAsync(campaign);

        Assert.Equal(StopReasons.RoundsDone, result.StopReason);
        Assert.Equal(2, result.Outages);
        var round2 = await (await host.StorageAsync(campaign)).Nodes.GetByRoundAsync(2);
        Assert.NotNull(round2);
        Assert.NotEqual(NodeStatus.ResearchFailed, round2.Status);
        Assert.Equal(3, researcher.Calls.Count(r => r == 2));
        // Each try is its own child instance with a deterministic id.
        Assert.NotNull(await host.Client.GetWorkflowStateAsync(EvolutionCampaignWorkflow.RoundInstanceId(campaign.InstanceId, 2, 3)));
    }
}
