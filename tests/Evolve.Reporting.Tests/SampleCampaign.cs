using Evolve.Core;
using Evolve.Storage;
using Microsoft.Data.Sqlite;

namespace Evolve.Reporting.Tests;

/// <summary>
/// A real campaign folder (SQLite file and all) in a temp directory, with a hand-built tree:
/// <code>
/// n00000 root 1.0
/// ├─ n00001 1.2
/// │  └─ n00003 1.5
/// │     ├─ n00004 1.4 (crossover: also from n00001)
/// │     ├─ n00005 timeout
/// │     └─ n00006 1.7  (best)
/// └─ n00002 compile_error
/// </code>
/// </summary>
public sealed class SampleCampaign : IDisposable
{
    public const string CampaignId = "circle-packing-test";

    public SampleCampaign()
    {
        Parent = Path.Combine(Path.GetTempPath(), "evolve-reporting-tests", Guid.NewGuid().ToString("n"));
        Root = Path.Combine(Parent, "campaigns", "cp");
    }

    /// <summary>The folder that holds the campaign folder (a stand-in for .evolve/campaigns/).</summary>
    public string Parent { get; }
    public string Root { get; }

    public static async Task<SampleCampaign> CreateAsync(bool withNodes = true)
    {
        var campaign = new SampleCampaign();
        using var storage = await campaign.OpenAsync();
        if (withNodes) await storage.Nodes.CommitNodesAsync(Tree());
        return campaign;
    }

    public Task<CampaignStorage> OpenAsync() =>
        CampaignStorage.OpenAsync(Root, CampaignId, durability: SqliteDurability.Normal);

    public static IReadOnlyList<Node> Tree() =>
    [
        Node(0, 1.0, [], "initial program", "Start from the task's initial program."),
        Node(1, 1.2, ["n00000"], "bigger corner circles", "Grow the corner circles.\nThey had slack."),
        Node(2, null, ["n00000"], "broken edit", "Rewrite the loop.", NodeStatus.CompileError, "CS1002: ; expected at 4:17"),
        Node(3, 1.5, ["n00001"], "hex rows", "Pack the middle in hexagonal rows."),
        Node(4, 1.4, ["n00003", "n00001"], "crossover", "Combine hex rows with the corner radii."),
        Node(5, null, ["n00003"], "slow search", "Search longer.", NodeStatus.Timeout, "ran past 10 s; process tree killed"),
        Node(6, 1.7, ["n00003"], "ring layout", "Add an outer ring of small circles.\nSecond line of the motivation."),
    ];

    public static Node Node(long round, double? score, string[] parents, string name, string motivation,
        NodeStatus status = NodeStatus.Ok, string? error = null) => new()
    {
        Id = Evolve.Core.Node.IdForRound(round),
        CampaignId = CampaignId,
        Round = round,
        Name = name,
        Motivation = motivation,
        Code = $"// round {round}\nreturn Pack({round});\n",
        ParentIds = parents,
        Score = score,
        Status = status,
        Error = error,
        StageReached = status == NodeStatus.Ok ? 2 : 1,
        Analysis = status == NodeStatus.Ok ? $"score moved in round {round}" : null,
        Island = (int)(round % 2),
        Metrics = score is { } s ? new Dictionary<string, double> { ["combined_score"] = s, ["sum_radii"] = s * 1.5 } : Evolve.Core.Node.EmptyMetrics,
        Provenance = new NodeProvenance
        {
            ResearcherKind = round == 0 ? "seed" : "offline",
            Model = round == 6 ? "test-model" : null,
            SamplerStrategy = round == 0 ? null : "ucb1",
            ContextNodeIds = parents,
            CognitionItemIds = round == 3 ? ["c-hex", "c-edge"] : [],
        },
        Costs = new NodeCosts { InputTokens = 100 * round, OutputTokens = 10 * round, CostUsd = 0.001 * round, ResearchSeconds = 0.5, EvaluationSeconds = 1.25 },
        CreatedAt = DateTimeOffset.Parse("2026-11-22T10:00:00Z").AddMinutes(round),
    };

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            if (Directory.Exists(Parent)) Directory.Delete(Parent, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; never fail a test over cleanup.
        }
    }
}
