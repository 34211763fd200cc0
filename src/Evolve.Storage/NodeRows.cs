using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Evolve.Core;
using Microsoft.Data.Sqlite;

namespace Evolve.Storage;

/// <summary>How a node maps to a row of the <c>nodes</c> table, and its content fingerprint.</summary>
internal static class NodeRows
{
    public const string FullColumns =
        "seq, id, campaign_id, round, name, motivation, code, artifact_ref, parent_ids, metrics, score, status, error, " +
        "stage_reached, analysis, island, visits, provenance, costs, created_at, updated_at";

    public const string SummaryColumns = "id, round, name, score, status, island, visits";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // Metrics may legitimately be NaN or infinite (a diverged run); keep them rather than failing the commit.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>SHA-256 over everything a round decides about its node (not visits, sequence or timestamps).</summary>
    public static string ContentHash(Node node)
    {
        var content = new
        {
            node.Id,
            node.CampaignId,
            node.Round,
            node.Name,
            node.Motivation,
            node.Code,
            node.ArtifactRef,
            node.ParentIds,
            Metrics = new SortedDictionary<string, double>(node.Metrics.ToDictionary(), StringComparer.Ordinal),
            node.Score,
            Status = node.Status.ToWireName(),
            node.Error,
            node.StageReached,
            node.Analysis,
            node.Island,
            node.Provenance,
            node.Costs,
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(content, Json);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    public static void Bind(SqliteCommand command, Node node, string contentHash)
    {
        command
            .With("$id", node.Id)
            .With("$campaign", node.CampaignId)
            .With("$round", node.Round)
            .With("$name", node.Name)
            .With("$motivation", node.Motivation)
            .With("$code", node.Code)
            .With("$artifact", node.ArtifactRef)
            .With("$parents", JsonSerializer.Serialize(node.ParentIds, Json))
            .With("$metrics", JsonSerializer.Serialize(node.Metrics, Json))
            .With("$score", node.Score)
            .With("$status", node.Status.ToWireName())
            .With("$error", node.Error)
            .With("$stage", node.StageReached)
            .With("$analysis", node.Analysis)
            .With("$island", node.Island)
            .With("$visits", node.Visits)
            .With("$provenance", JsonSerializer.Serialize(node.Provenance, Json))
            .With("$costs", JsonSerializer.Serialize(node.Costs, Json))
            .With("$hash", contentHash)
            .With("$created", node.CreatedAt.ToString("O", CultureInfo.InvariantCulture))
            .With("$updated", node.UpdatedAt.ToString("O", CultureInfo.InvariantCulture));
    }

    public const string InsertSql =
        "INSERT INTO nodes (id, campaign_id, round, name, motivation, code, artifact_ref, parent_ids, metrics, score, status, error, " +
        "stage_reached, analysis, island, visits, provenance, costs, content_hash, created_at, updated_at) VALUES " +
        "($id, $campaign, $round, $name, $motivation, $code, $artifact, $parents, $metrics, $score, $status, $error, " +
        "$stage, $analysis, $island, $visits, $provenance, $costs, $hash, $created, $updated) RETURNING seq;";

    public static Node ReadNode(SqliteDataReader r) => new()
    {
        Sequence = r.GetInt64(0),
        Id = r.GetString(1),
        CampaignId = r.GetString(2),
        Round = r.GetInt64(3),
        Name = r.GetString(4),
        Motivation = r.GetString(5),
        Code = r.IsDBNull(6) ? null : r.GetString(6),
        ArtifactRef = r.IsDBNull(7) ? null : r.GetString(7),
        ParentIds = JsonSerializer.Deserialize<List<string>>(r.GetString(8), Json) ?? [],
        Metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(r.GetString(9), Json) ?? [],
        Score = r.IsDBNull(10) ? null : r.GetDouble(10),
        Status = NodeStatusExtensions.ParseWireName(r.GetString(11)),
        Error = r.IsDBNull(12) ? null : r.GetString(12),
        StageReached = r.GetInt32(13),
        Analysis = r.IsDBNull(14) ? null : r.GetString(14),
        Island = r.GetInt32(15),
        Visits = r.GetInt64(16),
        Provenance = JsonSerializer.Deserialize<NodeProvenance>(r.GetString(17), Json) ?? NodeProvenance.None,
        Costs = JsonSerializer.Deserialize<NodeCosts>(r.GetString(18), Json) ?? NodeCosts.Zero,
        CreatedAt = DateTimeOffset.Parse(r.GetString(19), CultureInfo.InvariantCulture),
        UpdatedAt = DateTimeOffset.Parse(r.GetString(20), CultureInfo.InvariantCulture),
    };

    public static NodeSummary ReadSummary(SqliteDataReader r, int offset = 0) => new(
        r.GetString(offset),
        r.GetInt64(offset + 1),
        r.GetString(offset + 2),
        r.IsDBNull(offset + 3) ? null : r.GetDouble(offset + 3),
        NodeStatusExtensions.ParseWireName(r.GetString(offset + 4)),
        r.GetInt32(offset + 5),
        r.GetInt64(offset + 6));

    public static async Task<List<T>> ReadAllAsync<T>(SqliteCommand command, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) rows.Add(read(reader));
        return rows;
    }
}
