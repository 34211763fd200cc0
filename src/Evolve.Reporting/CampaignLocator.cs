using Evolve.Storage;
using Microsoft.Data.Sqlite;
using YamlDotNet.RepresentationModel;

namespace Evolve.Reporting;

/// <summary>A campaign the reporting commands cannot read: missing folder, no database, no nodes yet.</summary>
public sealed class CampaignUnavailableException(string message) : Exception(message);

/// <summary>What identifies a campaign on disk: its folder, the campaign id its nodes carry, and the task it runs.</summary>
public sealed record CampaignLocation(string Directory, string CampaignId, string Task);

/// <summary>
/// Finds the campaign a reporting command should read. A folder holds one campaign (<c>campaign.db</c>); the campaign
/// id is the one its nodes carry, so commands need nothing but the folder. Without a folder, the most recently
/// written campaign under <c>.evolve/campaigns/</c> is used.
/// </summary>
public static class CampaignLocator
{
    /// <summary>Where `evolve run` keeps campaigns unless told otherwise (relative to the working directory).</summary>
    public static string DefaultCampaignsRoot { get; } = Path.Combine(".evolve", "campaigns");

    /// <summary>The effective configuration `evolve run` saves in the campaign folder; its <c>task</c> key names the task.</summary>
    public const string EffectiveConfigFileName = "config.effective.yaml";

    public static async Task<CampaignLocation> LocateAsync(string? directory, string? campaignId = null, string? campaignsRoot = null,
        CancellationToken cancellationToken = default)
    {
        var folder = ResolveDirectory(directory, campaignsRoot);
        var ids = await CampaignIdsAsync(folder, cancellationToken);
        string id;
        if (campaignId is not null)
        {
            id = ids.Contains(campaignId, StringComparer.Ordinal)
                ? campaignId
                : throw new CampaignUnavailableException(ids.Count == 0
                    ? $"Campaign '{campaignId}' has no nodes in {folder} (the database is empty)."
                    : $"Campaign '{campaignId}' is not in {folder}; it holds: {string.Join(", ", ids)}.");
        }
        else
        {
            id = ids.Count switch
            {
                0 => throw new CampaignUnavailableException(
                    $"The campaign in {folder} has no nodes yet (round 0, the initial program, was never committed). " +
                    "Run or resume it with `evolve run <task> --campaign-dir " + folder + "`."),
                1 => ids[0],
                _ => throw new CampaignUnavailableException(
                    $"{folder} holds several campaigns ({string.Join(", ", ids)}); pick one with --campaign-id."),
            };
        }
        return new CampaignLocation(folder, id, ReadTaskName(folder) ?? id);
    }

    /// <summary>The explicit folder, checked; or the newest campaign under <paramref name="campaignsRoot"/>.</summary>
    public static string ResolveDirectory(string? directory, string? campaignsRoot = null)
    {
        if (!string.IsNullOrWhiteSpace(directory))
        {
            var full = Path.GetFullPath(directory);
            if (!System.IO.Directory.Exists(full))
                throw new CampaignUnavailableException(
                    $"Campaign directory {full} does not exist. Check --campaign-dir, or start a campaign there with `evolve run <task> --campaign-dir {directory}`.");
            if (!CampaignDirectory.Exists(full))
                throw new CampaignUnavailableException(
                    $"{full} is not a campaign directory (it has no {CampaignDirectory.DatabaseFileName}). Point --campaign-dir at a folder `evolve run` created.");
            return full;
        }

        var root = Path.GetFullPath(campaignsRoot ?? DefaultCampaignsRoot);
        var newest = System.IO.Directory.Exists(root)
            ? System.IO.Directory.EnumerateDirectories(root)
                .Where(CampaignDirectory.Exists)
                .OrderByDescending(LastWrite)
                .FirstOrDefault()
            : null;
        return newest ?? throw new CampaignUnavailableException(
            $"No campaign found under {root}. Start one with `evolve run <task>` (for example `evolve run circle-packing`), " +
            "or point at an existing one with --campaign-dir.");
    }

    /// <summary>A running campaign writes to the WAL file first, so it counts as the campaign's last write too.</summary>
    private static DateTime LastWrite(string folder)
    {
        var database = Path.Combine(folder, CampaignDirectory.DatabaseFileName);
        var wal = database + "-wal";
        var last = File.GetLastWriteTimeUtc(database);
        return File.Exists(wal) ? new[] { last, File.GetLastWriteTimeUtc(wal) }.Max() : last;
    }

    private static async Task<List<string>> CampaignIdsAsync(string folder, CancellationToken cancellationToken)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(folder, CampaignDirectory.DatabaseFileName),
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 60,
        }.ToString();
        await using var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT DISTINCT campaign_id FROM nodes ORDER BY campaign_id;";
            var ids = new List<string>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) ids.Add(reader.GetString(0));
            return ids;
        }
        catch (SqliteException e) when (e.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase))
        {
            // Created but never migrated: a campaign that stopped before its first write.
            return [];
        }
        catch (SqliteException e)
        {
            throw new CampaignUnavailableException($"Cannot read {connection.DataSource}: {e.Message}. Is it a campaign database?");
        }
    }

    /// <summary>The <c>task</c> of the saved effective configuration (a name, or a mapping with <c>name</c>); null when absent.</summary>
    public static string? ReadTaskName(string folder)
    {
        var path = Path.Combine(folder, EffectiveConfigFileName);
        if (!File.Exists(path)) return null;
        try
        {
            var yaml = new YamlStream();
            using (var reader = new StreamReader(path)) yaml.Load(reader);
            if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root) return null;
            if (!root.Children.TryGetValue(new YamlScalarNode("task"), out var task)) return null;
            return task switch
            {
                YamlScalarNode { Value: { Length: > 0 } name } => name,
                YamlMappingNode mapping when mapping.Children.TryGetValue(new YamlScalarNode("name"), out var name) && name is YamlScalarNode { Value: { Length: > 0 } text } => text,
                _ => null,
            };
        }
        catch (YamlDotNet.Core.YamlException)
        {
            // The task name is decoration for the reports; a config being rewritten must not stop `evolve status`.
            return null;
        }
    }
}
