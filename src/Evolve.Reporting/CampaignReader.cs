using Evolve.Core;
using Evolve.Storage;

namespace Evolve.Reporting;

/// <summary>An existing campaign opened for reading: where it is, what it runs, and its storage.</summary>
public sealed class CampaignReader : IDisposable
{
    private CampaignReader(CampaignLocation location, CampaignStorage storage)
    {
        Location = location;
        Storage = storage;
    }

    public CampaignLocation Location { get; }
    public CampaignStorage Storage { get; }
    public INodeStore Nodes => Storage.Nodes;

    /// <summary>
    /// Opens the campaign in <paramref name="directory"/> (or the newest one under <c>.evolve/campaigns/</c>).
    /// Throws <see cref="CampaignUnavailableException"/> with a message for the user when there is nothing to read.
    /// </summary>
    public static async Task<CampaignReader> OpenAsync(string? directory, string? campaignId = null, string? campaignsRoot = null,
        CancellationToken cancellationToken = default)
    {
        var location = await CampaignLocator.LocateAsync(directory, campaignId, campaignsRoot, cancellationToken);
        // Normal durability: reports never write nodes, and a running campaign keeps writing with its own settings.
        var storage = await CampaignStorage.OpenAsync(location.Directory, location.CampaignId, durability: SqliteDurability.Normal,
            cancellationToken: cancellationToken);
        return new CampaignReader(location, storage);
    }

    public void Dispose() => Storage.Dispose();
}
