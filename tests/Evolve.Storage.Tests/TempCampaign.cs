using Evolve.Core;
using Evolve.Sampling;
using Microsoft.Data.Sqlite;

namespace Evolve.Storage.Tests;

/// <summary>A real campaign directory in a temporary folder, removed afterwards.</summary>
internal sealed class TempCampaign : IDisposable
{
    public TempCampaign()
    {
        Root = Path.Combine(Path.GetTempPath(), "evolve-storage-tests", Guid.NewGuid().ToString("n"));
    }

    public string Root { get; }

    public Task<CampaignStorage> OpenAsync(SamplerOptions? sampler = null, CognitionOptions? cognition = null) =>
        CampaignStorage.OpenAsync(Root, "camp", sampler, cognition: cognition, durability: SqliteDurability.Normal);

    public static Node Node(long round, double? score, NodeStatus status = NodeStatus.Ok, string[]? parents = null, int island = 0, string? code = null) => new()
    {
        Id = Evolve.Core.Node.IdForRound(round),
        CampaignId = "camp",
        Round = round,
        Name = $"candidate {round}",
        Motivation = $"try variation {round}",
        Code = code ?? $"return {round};",
        Score = score,
        Status = status,
        Error = status == NodeStatus.Ok ? null : $"{status.ToWireName()} in round {round}",
        ParentIds = parents ?? [],
        Island = island,
        Metrics = score is { } s ? new Dictionary<string, double> { ["score"] = s } : Evolve.Core.Node.EmptyMetrics,
    };

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; never fail a test over cleanup.
        }
    }
}

internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}
