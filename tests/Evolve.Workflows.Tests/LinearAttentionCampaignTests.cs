using Evolve.Agents;
using Evolve.Agents.Offline;
using Evolve.Core;
using Evolve.Tasks;
using Evolve.Torch.LinearAttention;
using Microsoft.Extensions.DependencyInjection;

namespace Evolve.Workflows.Tests;

/// <summary>The linear-attention task end to end: a short campaign with the offline researcher, tiny training stages.</summary>
public sealed class LinearAttentionCampaignTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_short_campaign_on_linear_attention_trains_the_seed_and_its_children_against_the_DeltaNet_baseline()
    {
        string baselines = Directory.CreateTempSubdirectory("evolve-la-baselines-").FullName;
        try
        {
            var task = TaskLoader.LoadFolder(Path.Combine(AppContext.BaseDirectory, TaskCatalog.BuiltInFolderName, LinearAttentionContract.Name),
                [.. BuiltInEvaluators.Names, LinearAttentionContract.Name]);
            // Round 1 is a valid variant (a shorter convolution), so at least one child trains through every stage;
            // the offline researcher proposes the others.
            string variant = task.ReadInitialProgram().Replace("convolutionSize: 4", "convolutionSize: 3", StringComparison.Ordinal);
            await using var host = await TestHost.StartAsync(services => services
                .AddSingleton<IResearcher>(_ => new ScriptedResearcher(new OfflineResearcher(new OfflineResearcherOptions())) { Script = round => round == 1 ? variant : null })
                .AddLinearAttentionTask(o =>
                {
                    o.UseTinyStages();
                    o.BaselineDirectory = baselines;
                }));
            var campaign = await host.StartAsync(task, "linear-attention", ("budgets.rounds", "3"), ("budgets.parallel", "1"));

            var (_, result) = await host.WaitAsync(campaign, timeoutSeconds: 600);

            Assert.Equal(3, result.RoundsDone);
            var nodes = await (await host.StorageAsync(campaign)).Nodes.AllAsync().ToListAsync();
            foreach (var node in nodes) output.WriteLine($"round {node.Round}: {node.Status} score {node.Score} {node.Error}");
            Assert.Equal(4, nodes.Count);
            // The seed is DeltaNet itself: it passes every stage with exactly the baseline's fitness.
            var seed = nodes[0];
            Assert.True(seed.Status == NodeStatus.Ok, $"{seed.Status}: {seed.Error}");
            Assert.Equal(1.0, seed.Score);
            Assert.Equal(1.0, seed.Metrics["quick_fitness"]);
            // Every child was judged by the linear-attention evaluator: trained (fitness reported) or rejected with a reason.
            foreach (var node in nodes.Skip(1))
                Assert.True(node.Status == NodeStatus.Ok ? node.Metrics.ContainsKey("fitness") : !string.IsNullOrWhiteSpace(node.Error), $"round {node.Round}: {node.Status} {node.Error}");
            var trained = nodes[1];
            Assert.True(trained.Status is NodeStatus.Ok or NodeStatus.RejectedAtStage, $"{trained.Status}: {trained.Error}");
            Assert.Contains("quick_fitness", trained.Metrics.Keys);
            Assert.NotEqual(seed.Metrics["quick_mqar_kv4_t24_loss"], trained.Metrics["quick_mqar_kv4_t24_loss"]);
            Assert.True(result.BestScore >= 1.0);
        }
        finally
        {
            Directory.Delete(baselines, recursive: true);
        }
    }
}
