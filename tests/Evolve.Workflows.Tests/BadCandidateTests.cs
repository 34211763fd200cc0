using Evolve.Agents;
using Evolve.Agents.Offline;
using Evolve.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Evolve.Workflows.Tests;

/// <summary>
/// The bad-candidate corpus through the round workflow: a scripted researcher hands one bad program per round; each
/// is committed with the right status and a readable error, and the campaign carries on to the end.
/// </summary>
public sealed class BadCandidateTests
{
    private static readonly (string Program, NodeStatus Status, string Error)[] Cases =
    [
        ("does-not-compile", NodeStatus.CompileError, "; expected"),
        ("throws", NodeStatus.Crash, "no packing found for 26 circles"),
        ("loops-forever", NodeStatus.Timeout, "wall-clock limit of stage 'validity'"),
        ("allocates-without-bound", NodeStatus.OutOfMemory, "MiB"),
        ("writes-outside-scratch", NodeStatus.StaticCheckFailed, "System.IO.File.WriteAllText"),
        ("opens-socket", NodeStatus.StaticCheckFailed, "System.Net"),
        ("returns-nan", NodeStatus.InvalidOutput, "NaN"),
        ("wrong-count", NodeStatus.InvalidOutput, "26"),
        ("prints-garbage", NodeStatus.InvalidOutput, "got null"),
        ("overlapping", NodeStatus.RejectedAtStage, "rejected at stage 'validity'"),
    ];

    [Fact]
    public async Task Every_bad_candidate_is_committed_with_its_status_and_error_and_the_campaign_continues()
    {
        ScriptedResearcher? researcher = null;
        await using var host = await TestHost.StartAsync(services => services.AddSingleton<IResearcher>(sp =>
            researcher = new ScriptedResearcher(new OfflineResearcher(new OfflineResearcherOptions()))
            {
                Script = round => round >= 1 && round <= Cases.Length ? Corpus.Read(Cases[round - 1].Program) : null,
            }));
        // Short limits keep the endless loop and the allocation quick.
        var task = host.CirclePackingVariant(yaml => yaml.Replace("timeout_s: 10", "timeout_s: 3").Replace("memory_mb: 512", "memory_mb: 160"));
        var rounds = Cases.Length + 2;
        var campaign = await host.StartAsync(task, "bad", ("budgets.rounds", rounds.ToString()), ("budgets.parallel", "2"));

        var (_, result) = await host.WaitAsync(campaign, timeoutSeconds: 240);

        Assert.Equal(StopReasons.RoundsDone, result.StopReason);
        var nodes = (await (await host.StorageAsync(campaign)).Nodes.AllAsync().ToListAsync()).ToDictionary(n => n.Round);
        Assert.Equal(rounds + 1, nodes.Count);
        for (var i = 0; i < Cases.Length; i++)
        {
            var (program, status, error) = Cases[i];
            var node = nodes[i + 1];
            Assert.True(node.Status == status, $"{program}: expected {status}, got {node.Status}: {node.Error}");
            Assert.NotNull(node.Error);
            Assert.Contains(error, node.Error);
            Assert.Null(node.Score);
            Assert.Equal(Corpus.Read(program), node.Code);
            Assert.Equal("scripted", node.Provenance.ResearcherKind);
        }

        // The compile error went through the debug loop; the offline debugger declines, and the attempt is on the node.
        Assert.Contains("debug attempt 1: no repair", nodes[1].Analysis);
        // Rejected at the validity stage: the stage reached is recorded.
        Assert.Equal(1, nodes[Cases.Length].StageReached);
        // The campaign went on: the rounds after the corpus are evaluated as usual and the best is still the initial program or better.
        Assert.All(nodes.Values.Where(n => n.Round > Cases.Length), n => Assert.NotEqual(NodeStatus.ResearchFailed, n.Status));
        Assert.True(result.BestScore >= nodes[0].Score);
    }

    [Fact]
    public async Task A_repaired_candidate_is_checked_again_evaluated_and_its_debug_attempts_are_on_the_node()
    {
        var repair = TestHost.CirclePacking.ReadInitialProgram().Replace("{ 0.0833, 0.1000 }", "{ 0.0801, 0.1000 }");
        await using var host = await TestHost.StartAsync(services =>
        {
            services.AddSingleton<IResearcher>(new ScriptedResearcher(new OfflineResearcher(new OfflineResearcherOptions()))
            {
                Script = round => round == 1 ? Corpus.Read("does-not-compile") : null,
            });
            services.AddSingleton<IDebugger>(new ScriptedDebugger(repair));
        });
        var campaign = await host.StartAsync(TestHost.CirclePacking, "repair", ("budgets.rounds", "1"), ("budgets.debug_retries", "3"));

        await host.WaitAsync(campaign);

        var node = (await (await host.StorageAsync(campaign)).Nodes.GetByRoundAsync(1))!;
        Assert.True(node.Status == NodeStatus.Ok, $"{node.Status}: {node.Error}");
        Assert.Equal(repair, node.Code);
        Assert.NotNull(node.Score);
        Assert.Contains("debug attempt 1: repaired by test-model; static check ok", node.Analysis);
        Assert.True(node.Costs.InputTokens >= 10, "the debugger's tokens are counted on the node");
    }

    private sealed class ScriptedDebugger(string repaired) : IDebugger
    {
        public Task<DebugOutcome> RepairAsync(DebugRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(request.Diagnostics.Any(d => d.Contains("CS1002", StringComparison.Ordinal))
                ? DebugOutcome.Success(repaired, request.Attempt, "test-model", new TokenUsage(10, 5, 0.001))
                : DebugOutcome.Failure("nothing to repair", request.Attempt));
    }
}
