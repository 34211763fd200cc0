using Evolve.Core;
using Evolve.Durable.Client;

namespace Evolve.Workflows.Tests;

/// <summary>Whole campaigns on circle packing through the real sidecar, storage, compiler and runner.</summary>
public sealed class CampaignTests
{
    [Fact]
    public async Task Short_parallel_campaign_commits_one_node_per_round_without_gaps_and_its_best_never_drops()
    {
        await using var host = await TestHost.StartAsync();
        var campaign = await host.StartAsync(TestHost.CirclePacking, "short", ("budgets.rounds", "6"), ("budgets.parallel", "2"));

        var (state, result) = await host.WaitAsync(campaign);

        Assert.Equal(StopReasons.RoundsDone, result.StopReason);
        Assert.Equal(6, result.RoundsDone);
        var storage = await host.StorageAsync(campaign);
        var nodes = await storage.Nodes.AllAsync().ToListAsync();
        Assert.Equal(Enumerable.Range(0, 7).Select(r => (long)r), nodes.Select(n => n.Round));
        Assert.Empty(await storage.Nodes.MissingRoundsAsync());
        Assert.All(nodes, n => Assert.Equal(Node.IdForRound(n.Round), n.Id));

        // Round 0 is the initial program; every later node names its parent, island and sampler strategy.
        var seed = nodes[0];
        Assert.Equal(NodeStatus.Ok, seed.Status);
        Assert.Equal(TestHost.CirclePacking.ReadInitialProgram(), seed.Code);
        Assert.Equal(seed.Score, result.InitialScore);
        foreach (var node in nodes.Skip(1))
        {
            Assert.Single(node.ParentIds);
            Assert.StartsWith("ucb1", node.Provenance.SamplerStrategy);
            Assert.Equal("offline", node.Provenance.ResearcherKind);
            Assert.NotEmpty(node.Provenance.CognitionItemIds);
            Assert.False(string.IsNullOrWhiteSpace(node.Analysis));
            Assert.True(node.Costs.EvaluationSeconds > 0 || node.Status != NodeStatus.Ok);
        }

        // Best so far never decreases and is what the campaign reports.
        var curve = await storage.Nodes.BestSoFarAsync();
        for (var i = 1; i < curve.Count; i++) Assert.True(curve[i].BestScore >= curve[i - 1].BestScore, $"best dropped at round {curve[i].Round}");
        Assert.Equal(nodes.Where(n => n.IsOk).Max(n => n.Score), result.BestScore);

        // Seed cognition imported once; analyzer insights recorded with the node as provenance.
        var seedItems = await storage.Cognition.ListAsync(CognitionOrigin.Seed);
        Assert.InRange(seedItems.Count, 8, 30);
        var insights = await storage.Cognition.ListAsync(CognitionOrigin.Analyzer);
        Assert.NotEmpty(insights);
        Assert.All(insights, i => Assert.NotEmpty(i.SupportingNodeIds));

        // The round children have deterministic ids, and the final status says why the campaign stopped.
        Assert.NotNull(await host.Client.GetWorkflowStateAsync(EvolutionCampaignWorkflow.RoundInstanceId(campaign.InstanceId, 3, 1)));
        var status = state.ReadCustomStatusAs<CampaignStatus>()!;
        Assert.Equal(("completed", 6L, StopReasons.RoundsDone), (status.Phase, status.RoundsDone, status.StopReason));
    }

    [Fact]
    public async Task A_finished_campaign_started_again_keeps_its_nodes_and_runs_only_the_new_rounds()
    {
        await using var host = await TestHost.StartAsync();
        var first = await host.StartAsync(TestHost.CirclePacking, "again", ("budgets.rounds", "2"), ("budgets.parallel", "1"),
            ("workflow.continue_as_new_every", "1"));
        var (_, firstResult) = await host.WaitAsync(first);
        Assert.Equal(2, firstResult.RoundsDone);
        var storage = await host.StorageAsync(first);
        var before = (await storage.Nodes.AllAsync().ToListAsync()).ToDictionary(n => n.Id, n => n.Code);

        // Same directory, more rounds: the saved configuration is kept, the budget raised, rounds 0..2 untouched.
        var second = await host.StartAsync(TestHost.CirclePacking, "again", ("budgets.rounds", "4"), ("sampler.kind", "greedy"));
        Assert.True(second.Resumed);
        Assert.Contains(second.Notes, n => n.StartsWith("sampler.kind: kept the campaign's saved value", StringComparison.Ordinal));
        Assert.Equal("ucb1", second.Configuration.Settings.Sampler.Kind);
        var (_, result) = await host.WaitAsync(second);

        Assert.Equal(4, result.RoundsDone);
        var nodes = await storage.Nodes.AllAsync().ToListAsync();
        Assert.Equal([0L, 1, 2, 3, 4], nodes.Select(n => n.Round));
        foreach (var (id, code) in before) Assert.Equal(code, nodes.Single(n => n.Id == id).Code);
        // continue_as_new_every = 1 made the first run continue as new between rounds and still finish.
        Assert.Equal(WorkflowRuntimeStatus.Completed, (await host.Client.GetWorkflowStateAsync(second.InstanceId))!.RuntimeStatus);
    }

    [Fact]
    public async Task Map_elites_campaign_assigns_islands_and_draws_from_the_grid()
    {
        await using var host = await TestHost.StartAsync();
        var campaign = await host.StartAsync(TestHost.CirclePacking, "islands", ("budgets.rounds", "6"), ("budgets.parallel", "2"),
            ("sampler.kind", "map-elites"), ("sampler.islands", "2"));

        var (_, result) = await host.WaitAsync(campaign);

        Assert.Equal(6, result.RoundsDone);
        var nodes = await (await host.StorageAsync(campaign)).Nodes.AllAsync().ToListAsync();
        Assert.All(nodes.Skip(1), n => Assert.StartsWith("map-elites", n.Provenance.SamplerStrategy));
        Assert.Equal([0, 1], nodes.Skip(1).Select(n => n.Island).Distinct().Order());
    }
}
