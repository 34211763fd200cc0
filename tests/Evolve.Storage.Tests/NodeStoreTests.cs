using Evolve.Core;
using Microsoft.Data.Sqlite;

namespace Evolve.Storage.Tests;

public sealed class NodeStoreTests
{
    [Fact]
    public async Task Committing_the_same_round_twice_keeps_one_node()
    {
        using var temp = new TempCampaign();
        using var storage = await temp.OpenAsync();
        var node = TempCampaign.Node(0, 1.5);

        var first = await storage.Nodes.CommitNodeAsync(node);
        var again = await storage.Nodes.CommitNodeAsync(node with { CreatedAt = DateTimeOffset.UnixEpoch.AddDays(3) });

        Assert.Equal(CommitOutcome.Inserted, first.Outcome);
        Assert.Equal(CommitOutcome.AlreadyCommitted, again.Outcome);
        Assert.Equal(first.Node.Sequence, again.Node.Sequence);
        Assert.Equal(first.Node.CreatedAt, again.Node.CreatedAt);
        Assert.Equal(1, (await storage.Nodes.CountAsync()).Total);
    }

    [Fact]
    public async Task A_different_node_for_a_committed_round_is_not_written()
    {
        using var temp = new TempCampaign();
        using var storage = await temp.OpenAsync();
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(0, 1.5));

        var conflict = await storage.Nodes.CommitNodeAsync(TempCampaign.Node(0, 9.0) with { Name = "impostor" });

        Assert.Equal(CommitOutcome.ConflictKeptExisting, conflict.Outcome);
        Assert.Equal(1.5, conflict.Node.Score);
        Assert.Equal(1.5, (await storage.Nodes.GetByRoundAsync(0))!.Score);
        Assert.Equal(1, (await storage.Nodes.CountAsync()).Total);
    }

    [Fact]
    public async Task Concurrent_commits_of_one_round_from_separate_connections_insert_exactly_once()
    {
        using var temp = new TempCampaign();
        using var setup = await temp.OpenAsync();
        var stores = new List<CampaignStorage>();
        for (var i = 0; i < 6; i++) stores.Add(await temp.OpenAsync());

        var outcomes = await Task.WhenAll(stores.SelectMany(s => Enumerable.Range(0, 3).Select(_ =>
            Task.Run(() => s.Nodes.CommitNodeAsync(TempCampaign.Node(0, 2.0))))));

        Assert.Single(outcomes, o => o.Outcome == CommitOutcome.Inserted);
        Assert.All(outcomes, o => Assert.NotEqual(CommitOutcome.ConflictKeptExisting, o.Outcome));
        Assert.Equal(1, (await setup.Nodes.CountAsync()).Total);
        foreach (var s in stores) s.Dispose();
    }

    [Fact]
    public async Task Concurrent_commits_of_many_rounds_leave_no_gaps()
    {
        using var temp = new TempCampaign();
        using var storage = await temp.OpenAsync();
        await Task.WhenAll(Enumerable.Range(0, 40).Select(round => Task.Run(async () =>
        {
            await storage.Nodes.CommitNodeAsync(TempCampaign.Node(round, round));
            await storage.Nodes.CommitNodeAsync(TempCampaign.Node(round, round)); // a retry
        })));

        var counts = await storage.Nodes.CountAsync();
        Assert.Equal(40, counts.Total);
        Assert.Equal(39, counts.MaxRound);
        Assert.Empty(await storage.Nodes.MissingRoundsAsync());
    }

    [Fact]
    public async Task Nodes_survive_reopening_the_file_with_every_field()
    {
        using var temp = new TempCampaign();
        var node = TempCampaign.Node(0, 2.5) with
        {
            ArtifactRef = "artifacts/n00000/code.cs",
            Metrics = new Dictionary<string, double> { ["sum_radii"] = 2.5, ["diverged"] = double.NaN, ["inf"] = double.PositiveInfinity },
            StageReached = 2,
            Analysis = "better than parent by 0.1",
            Island = 3,
            Provenance = new NodeProvenance { ContextNodeIds = ["a", "b"], CognitionItemIds = ["seed-1"], ResearcherKind = "offline", Model = "none", SamplerStrategy = "ucb1" },
            Costs = new NodeCosts { InputTokens = 100, OutputTokens = 50, CostUsd = 0.01, ResearchSeconds = 1.5, EvaluationSeconds = 3 },
            CreatedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
        };
        using (var storage = await temp.OpenAsync())
        {
            await storage.Nodes.CommitNodeAsync(node);
            await storage.Nodes.CommitNodeAsync(TempCampaign.Node(1, null, NodeStatus.Timeout, parents: ["n00000"]));
        }
        SqliteConnection.ClearAllPools();

        using var reopened = await temp.OpenAsync();
        var read = (await reopened.Nodes.GetAsync("n00000"))!;
        Assert.Equal(node.Metrics["sum_radii"], read.Metrics["sum_radii"]);
        Assert.True(double.IsNaN(read.Metrics["diverged"]));
        Assert.True(double.IsPositiveInfinity(read.Metrics["inf"]));
        Assert.Equal(node.Provenance.ContextNodeIds, read.Provenance.ContextNodeIds);
        Assert.Equal(node.Provenance with { ContextNodeIds = read.Provenance.ContextNodeIds, CognitionItemIds = read.Provenance.CognitionItemIds }, read.Provenance);
        Assert.Equal(node.Costs, read.Costs);
        Assert.Equal(node with { Metrics = read.Metrics, Provenance = read.Provenance, ParentIds = read.ParentIds, Sequence = read.Sequence, UpdatedAt = read.UpdatedAt }, read);
        var failed = (await reopened.Nodes.GetByRoundAsync(1))!;
        Assert.Equal(NodeStatus.Timeout, failed.Status);
        Assert.Equal("timeout in round 1", failed.Error);
        Assert.Equal(["n00000"], failed.ParentIds);
        // The retried commit after a restart is still recognised as the same node.
        Assert.Equal(CommitOutcome.AlreadyCommitted, (await reopened.Nodes.CommitNodeAsync(node)).Outcome);
    }

    [Fact]
    public async Task Top_k_holds_only_ok_nodes_best_first_and_failures_are_listed_separately()
    {
        using var temp = new TempCampaign();
        using var storage = await temp.OpenAsync();
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(0, 1.0));
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(1, 5.0, island: 1));
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(2, 99.0, NodeStatus.InvalidOutput));
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(3, 3.0, island: 1));
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(4, null, NodeStatus.CompileError));
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(5, double.NaN));

        Assert.Equal(["n00001", "n00003", "n00000"], (await storage.Nodes.TopAsync(10)).Select(n => n.Id));
        Assert.Equal(["n00001", "n00003"], (await storage.Nodes.TopAsync(10, island: 1)).Select(n => n.Id));
        Assert.Equal(["n00001"], (await storage.Nodes.TopAsync(1)).Select(n => n.Id));
        Assert.Equal(["n00004", "n00002"], (await storage.Nodes.RecentFailuresAsync(10)).Select(n => n.Id));
        Assert.Equal(["n00004"], (await storage.Nodes.ByStatusAsync(NodeStatus.CompileError, 10)).Select(n => n.Id));
        Assert.Equal(["n00001", "n00003"], (await storage.Nodes.ByIslandAsync(1, 10)).Select(n => n.Id));
        Assert.Equal("n00001", (await storage.Nodes.BestAsync())!.Id);

        var counts = await storage.Nodes.CountAsync();
        Assert.Equal((6L, 4L, 2L), (counts.Total, counts.Ok, counts.Failed));
        Assert.Equal(1, counts.ByStatus[NodeStatus.InvalidOutput]);
    }

    [Fact]
    public async Task Best_so_far_never_decreases_and_ignores_failed_scores()
    {
        using var temp = new TempCampaign();
        using var storage = await temp.OpenAsync();
        double?[] scores = [1, 3, 2, 50, 4];
        for (var i = 0; i < scores.Length; i++)
            await storage.Nodes.CommitNodeAsync(TempCampaign.Node(i, scores[i], i == 3 ? NodeStatus.InvalidOutput : NodeStatus.Ok));
        var points = await storage.Nodes.BestSoFarAsync();
        Assert.Equal([1.0, 3, 3, 3, 4], points.Select(p => p.BestScore!.Value));
        Assert.Null(points[3].Score);
    }

    [Fact]
    public async Task Missing_rounds_are_reported()
    {
        using var temp = new TempCampaign();
        using var storage = await temp.OpenAsync();
        foreach (var round in new[] { 0, 1, 4, 6 }) await storage.Nodes.CommitNodeAsync(TempCampaign.Node(round, round));
        Assert.Equal([2L, 3, 5], await storage.Nodes.MissingRoundsAsync());
    }

    [Fact]
    public async Task Lineage_walks_ancestors_and_descendants_with_distances()
    {
        using var temp = new TempCampaign();
        using var storage = await temp.OpenAsync();
        // 0 → 1 → 3 → 4, 0 → 2 → 3 (a diamond), 5 unrelated
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(0, 1));
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(1, 1, parents: ["n00000"]));
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(2, 1, parents: ["n00000"]));
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(3, 1, parents: ["n00001", "n00002"]));
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(4, 1, parents: ["n00003"]));
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(5, 1));

        var ancestors = await storage.Nodes.AncestorsAsync("n00004");
        Assert.Equal([("n00003", 1), ("n00001", 2), ("n00002", 2), ("n00000", 3)], ancestors.Select(a => (a.Node.Id, a.Distance)));
        var descendants = await storage.Nodes.DescendantsAsync("n00000");
        Assert.Equal([("n00001", 1), ("n00002", 1), ("n00003", 2), ("n00004", 3)], descendants.Select(a => (a.Node.Id, a.Distance)));
        Assert.Empty(await storage.Nodes.AncestorsAsync("n00005"));
    }

    [Fact]
    public async Task Bad_commits_are_refused_with_clear_errors()
    {
        using var temp = new TempCampaign();
        using var storage = await temp.OpenAsync();
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(0, 1));

        var missingParent = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.Nodes.CommitNodeAsync(TempCampaign.Node(1, 1, parents: ["ghost"])));
        Assert.Contains("'ghost'", missingParent.Message);
        var reusedId = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.Nodes.CommitNodeAsync(TempCampaign.Node(2, 1) with { Id = "n00000" }));
        Assert.Contains("round 0", reusedId.Message);
        var otherCampaign = await Assert.ThrowsAsync<ArgumentException>(() => storage.Nodes.CommitNodeAsync(TempCampaign.Node(3, 1) with { CampaignId = "other" }));
        Assert.Contains("'other'", otherCampaign.Message);
        Assert.Equal(1, (await storage.Nodes.CountAsync()).Total);
    }

    [Fact]
    public async Task Visits_are_counted_and_stored()
    {
        using var temp = new TempCampaign();
        using var storage = await temp.OpenAsync();
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(0, 1));
        await storage.Nodes.IncrementVisitsAsync(["n00000"]);
        await storage.Nodes.IncrementVisitsAsync(["n00000"]);
        Assert.Equal(2, (await storage.Nodes.GetAsync("n00000"))!.Visits);
        await Assert.ThrowsAsync<InvalidOperationException>(() => storage.Nodes.IncrementVisitsAsync(["nope"]));
    }

    [Fact]
    public async Task Committed_after_streams_in_commit_order_and_export_in_round_order()
    {
        using var temp = new TempCampaign();
        using var storage = await temp.OpenAsync();
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(2, 1));
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(0, 1));
        await storage.Nodes.CommitNodeAsync(TempCampaign.Node(1, 1));
        var afterFirst = await storage.Nodes.CommittedAfterAsync(1, 10);
        Assert.Equal(["n00000", "n00001"], afterFirst.Select(n => n.Id));
        var all = new List<string>();
        await foreach (var node in storage.Nodes.AllAsync()) all.Add(node.Id);
        Assert.Equal(["n00000", "n00001", "n00002"], all);
        Assert.Equal(["n00002", "n00000"], (await storage.Nodes.GetManyAsync(["n00002", "missing", "n00000"])).Select(n => n.Id));
    }
}
