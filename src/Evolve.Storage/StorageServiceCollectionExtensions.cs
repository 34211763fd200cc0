using Evolve.Core;
using Evolve.Core.Transcripts;
using Evolve.Sampling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Evolve.Storage;

/// <summary>Everything of one campaign's storage, opened and migrated.</summary>
public sealed class CampaignStorage : IDisposable
{
    private CampaignStorage(CampaignDirectory directory, SqliteDatabase database, SqliteNodeStore nodes, SqliteStateStore states,
        SqliteCognitionStore cognition, SamplingCoordinator sampling, SqliteTranscriptStore transcripts)
    {
        (Directory, Database, Nodes, States, Cognition, Sampling, Transcripts) = (directory, database, nodes, states, cognition, sampling, transcripts);
    }

    public CampaignDirectory Directory { get; }
    public SqliteDatabase Database { get; }
    public SqliteNodeStore Nodes { get; }
    public SqliteStateStore States { get; }
    public SqliteCognitionStore Cognition { get; }
    public SamplingCoordinator Sampling { get; }

    /// <summary>Every model call of the campaign's agents (messages, reply, tokens, cost, latency), by round.</summary>
    public SqliteTranscriptStore Transcripts { get; }

    /// <summary>Opens (creating when missing) the campaign directory and brings its database to the current schema.</summary>
    public static async Task<CampaignStorage> OpenAsync(
        string root,
        string campaignId,
        SamplerOptions? sampler = null,
        IEmbeddingGenerator<string, Embedding<float>>? embedder = null,
        CognitionOptions? cognition = null,
        SqliteDurability durability = SqliteDurability.Full,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        var time = timeProvider ?? TimeProvider.System;
        var directory = CampaignDirectory.Open(root);
        var database = new SqliteDatabase(directory.DatabasePath, durability);
        await SchemaMigrator.MigrateAsync(database, CampaignSchema.Migrations, cancellationToken);
        var nodes = new SqliteNodeStore(database, campaignId, time);
        var states = new SqliteStateStore(database, time);
        var cognitionStore = new SqliteCognitionStore(database, embedder ?? new HashingEmbeddingGenerator(), cognition ?? new CognitionOptions(), time);
        var sampling = new SamplingCoordinator(database, nodes, states, sampler ?? new SamplerOptions(), time);
        return new CampaignStorage(directory, database, nodes, states, cognitionStore, sampling, new SqliteTranscriptStore(database, campaignId));
    }

    public void Dispose() => Sampling.Dispose();
}

public sealed class CampaignStorageOptions
{
    public string Root { get; set; } = "";
    public string CampaignId { get; set; } = "";
    public SqliteDurability Durability { get; set; } = SqliteDurability.Full;
    public SamplerOptions Sampler { get; set; } = new();
    public CognitionOptions Cognition { get; set; } = new();
}

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the campaign storage (opened and migrated on first use) and its parts: <see cref="INodeStore"/>,
    /// <see cref="ICognitionStore"/>, <see cref="SamplingCoordinator"/>, <see cref="SqliteStateStore"/>, <see cref="ITranscriptStore"/>. Uses a registered
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> when there is one, the local hashing embedder otherwise.
    /// </summary>
    public static IServiceCollection AddEvolveCampaignStorage(this IServiceCollection services, CampaignStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Root)) throw new ArgumentException("campaign.directory is empty; set the campaign directory.", nameof(options));
        if (string.IsNullOrWhiteSpace(options.CampaignId)) throw new ArgumentException("campaign.id is empty; every campaign needs a name.", nameof(options));
        options.Sampler.EnsureValid();
        options.Cognition.EnsureValid();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(_ => new HashingEmbeddingGenerator());
        services.AddSingleton(provider => CampaignStorage.OpenAsync(
            options.Root, options.CampaignId, options.Sampler,
            provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(),
            options.Cognition, options.Durability, provider.GetRequiredService<TimeProvider>()).GetAwaiter().GetResult());
        services.AddSingleton<INodeStore>(provider => provider.GetRequiredService<CampaignStorage>().Nodes);
        services.AddSingleton<ICognitionStore>(provider => provider.GetRequiredService<CampaignStorage>().Cognition);
        services.AddSingleton(provider => provider.GetRequiredService<CampaignStorage>().Sampling);
        services.AddSingleton(provider => provider.GetRequiredService<CampaignStorage>().States);
        services.AddSingleton(provider => provider.GetRequiredService<CampaignStorage>().Transcripts);
        services.AddSingleton<ITranscriptStore>(provider => provider.GetRequiredService<CampaignStorage>().Transcripts);
        return services;
    }
}
