using System.Runtime.CompilerServices;
using Evolve.Core;
using Microsoft.Data.Sqlite;

namespace Evolve.Storage;

/// <summary>The node database of one campaign in its SQLite file.</summary>
public sealed class SqliteNodeStore(SqliteDatabase database, string campaignId, TimeProvider timeProvider) : INodeStore
{
    private const string Ok = "'ok'";

    public string CampaignId { get; } = !string.IsNullOrWhiteSpace(campaignId)
        ? campaignId
        : throw new ArgumentException("The campaign id is empty; every node belongs to a named campaign.", nameof(campaignId));

    public async Task<CommitResult> CommitNodeAsync(Node node, CancellationToken cancellationToken = default) =>
        (await CommitNodesAsync([node], cancellationToken))[0];

    /// <summary>
    /// Commits several nodes in one transaction (imports, benchmarks), each with the idempotency of <see cref="CommitNodeAsync"/>.
    /// Parents must be committed earlier or earlier in the same list.
    /// </summary>
    public async Task<IReadOnlyList<CommitResult>> CommitNodesAsync(IReadOnlyList<Node> nodes, CancellationToken cancellationToken = default)
    {
        var prepared = nodes.Select(Prepare).ToList();
        await using var connection = await database.OpenAsync(cancellationToken);
        // IMMEDIATE: take the write lock before looking, so two concurrent commits of a round cannot both insert.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var results = new List<CommitResult>(prepared.Count);
        foreach (var node in prepared) results.Add(await CommitAsync(connection, transaction, node, cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return results;
    }

    private async Task<CommitResult> CommitAsync(SqliteConnection connection, SqliteTransaction transaction, Node node, CancellationToken cancellationToken)
    {
        var hash = NodeRows.ContentHash(node);
        await using (var existing = connection.Command(
            "SELECT content_hash FROM nodes WHERE campaign_id = $c AND round = $r;", transaction))
        {
            existing.With("$c", CampaignId).With("$r", node.Round);
            if (await existing.ExecuteScalarAsync(cancellationToken) is string storedHash)
            {
                var stored = await GetByRoundAsync(connection, transaction, node.Round, cancellationToken);
                return new CommitResult(stored!, storedHash == hash ? CommitOutcome.AlreadyCommitted : CommitOutcome.ConflictKeptExisting);
            }
        }

        await EnsureIdFreeAsync(connection, transaction, node, cancellationToken);
        await EnsureParentsExistAsync(connection, transaction, node, cancellationToken);

        long sequence;
        await using (var insert = connection.Command(NodeRows.InsertSql, transaction))
        {
            NodeRows.Bind(insert, node, hash);
            sequence = await insert.ScalarLongAsync(cancellationToken);
        }
        for (var i = 0; i < node.ParentIds.Count; i++)
        {
            await using var edge = connection.Command(
                "INSERT OR IGNORE INTO node_parents (child_id, parent_id, position) VALUES ($c, $p, $i);", transaction);
            edge.With("$c", node.Id).With("$p", node.ParentIds[i]).With("$i", i);
            await edge.ExecuteNonQueryAsync(cancellationToken);
        }
        return new CommitResult(node with { Sequence = sequence }, CommitOutcome.Inserted);
    }

    private Node Prepare(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.CampaignId != CampaignId)
            throw new ArgumentException($"Node {node.Id} belongs to campaign '{node.CampaignId}', but this store holds campaign '{CampaignId}'.", nameof(node));
        if (node.Round < 0)
            throw new ArgumentException($"Node {node.Id} has round {node.Round}; rounds start at 0 (the initial program).", nameof(node));
        if (string.IsNullOrWhiteSpace(node.Id))
            throw new ArgumentException($"The node of round {node.Round} has no id; use Node.IdForRound({node.Round}).", nameof(node));
        if (node.ParentIds.Contains(node.Id))
            throw new ArgumentException($"Node {node.Id} lists itself as a parent.", nameof(node));
        var now = timeProvider.GetUtcNow();
        var created = node.CreatedAt == default ? now : node.CreatedAt;
        return node with
        {
            // SQLite stores NaN as NULL; normalise first so the fingerprint matches what is read back.
            Score = node.Score is { } s && double.IsFinite(s) ? s : null,
            ParentIds = node.ParentIds.Distinct(StringComparer.Ordinal).ToList(),
            Sequence = 0,
            CreatedAt = created,
            UpdatedAt = node.UpdatedAt == default ? created : node.UpdatedAt,
        };
    }

    private static async Task EnsureIdFreeAsync(SqliteConnection connection, SqliteTransaction transaction, Node node, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT round FROM nodes WHERE id = $id;", transaction);
        command.With("$id", node.Id);
        if (await command.ExecuteScalarAsync(cancellationToken) is long round)
            throw new InvalidOperationException(
                $"Node id '{node.Id}' is already used by round {round}; the node of round {node.Round} needs its own id (Node.IdForRound gives one).");
    }

    private static async Task EnsureParentsExistAsync(SqliteConnection connection, SqliteTransaction transaction, Node node, CancellationToken cancellationToken)
    {
        foreach (var parent in node.ParentIds)
        {
            await using var command = connection.Command("SELECT 1 FROM nodes WHERE id = $id;", transaction);
            command.With("$id", parent);
            if (await command.ExecuteScalarAsync(cancellationToken) is null)
                throw new InvalidOperationException($"Node {node.Id} (round {node.Round}) names parent '{parent}', which is not in the database; parents must be committed first.");
        }
    }

    public async Task<Node?> GetAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {NodeRows.FullColumns} FROM nodes WHERE id = $id AND campaign_id = $c;");
        command.With("$id", nodeId).With("$c", CampaignId);
        return (await NodeRows.ReadAllAsync(command, NodeRows.ReadNode, cancellationToken)).SingleOrDefault();
    }

    public async Task<Node?> GetByRoundAsync(long round, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await GetByRoundAsync(connection, null, round, cancellationToken);
    }

    private async Task<Node?> GetByRoundAsync(SqliteConnection connection, SqliteTransaction? transaction, long round, CancellationToken cancellationToken)
    {
        await using var command = connection.Command($"SELECT {NodeRows.FullColumns} FROM nodes WHERE campaign_id = $c AND round = $r;", transaction);
        command.With("$c", CampaignId).With("$r", round);
        return (await NodeRows.ReadAllAsync(command, NodeRows.ReadNode, cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<Node>> GetManyAsync(IReadOnlyCollection<string> nodeIds, CancellationToken cancellationToken = default)
    {
        if (nodeIds.Count == 0) return [];
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            $"SELECT {NodeRows.FullColumns} FROM nodes WHERE campaign_id = $c AND id IN (SELECT value FROM json_each($ids));");
        command.With("$c", CampaignId).With("$ids", System.Text.Json.JsonSerializer.Serialize(nodeIds));
        var byId = (await NodeRows.ReadAllAsync(command, NodeRows.ReadNode, cancellationToken)).ToDictionary(n => n.Id);
        // Keep the caller's order (a sampler's context order is meaningful).
        return nodeIds.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    public async Task<IReadOnlyList<NodeSummary>> TopAsync(int count, int? island = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await TopAsync(connection, null, count, island, cancellationToken);
    }

    internal async Task<IReadOnlyList<NodeSummary>> TopAsync(SqliteConnection connection, SqliteTransaction? transaction, int count, int? island, CancellationToken cancellationToken)
    {
        var islandFilter = island is null ? "" : "AND island = $i ";
        await using var command = connection.Command(
            $"SELECT {NodeRows.SummaryColumns} FROM nodes WHERE campaign_id = $c {islandFilter}AND status = {Ok} AND score IS NOT NULL " +
            "ORDER BY score DESC, round ASC LIMIT $k;", transaction);
        command.With("$c", CampaignId).With("$k", count).With("$i", island);
        return await NodeRows.ReadAllAsync(command, r => NodeRows.ReadSummary(r), cancellationToken);
    }

    public async Task<IReadOnlyList<NodeSummary>> RecentFailuresAsync(int count, int? island = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await RecentFailuresAsync(connection, null, count, island, cancellationToken);
    }

    internal async Task<IReadOnlyList<NodeSummary>> RecentFailuresAsync(SqliteConnection connection, SqliteTransaction? transaction, int count, int? island, CancellationToken cancellationToken)
    {
        var islandFilter = island is null ? "" : "AND island = $i ";
        await using var command = connection.Command(
            $"SELECT {NodeRows.SummaryColumns} FROM nodes WHERE campaign_id = $c {islandFilter}AND status <> {Ok} ORDER BY round DESC LIMIT $k;", transaction);
        command.With("$c", CampaignId).With("$k", count).With("$i", island);
        return await NodeRows.ReadAllAsync(command, r => NodeRows.ReadSummary(r), cancellationToken);
    }

    public async Task<IReadOnlyList<NodeSummary>> ByStatusAsync(NodeStatus status, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            $"SELECT {NodeRows.SummaryColumns} FROM nodes WHERE campaign_id = $c AND status = $s ORDER BY round LIMIT $k;");
        command.With("$c", CampaignId).With("$s", status.ToWireName()).With("$k", limit);
        return await NodeRows.ReadAllAsync(command, r => NodeRows.ReadSummary(r), cancellationToken);
    }

    public async Task<IReadOnlyList<NodeSummary>> ByIslandAsync(int island, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            $"SELECT {NodeRows.SummaryColumns} FROM nodes WHERE campaign_id = $c AND island = $i ORDER BY round LIMIT $k;");
        command.With("$c", CampaignId).With("$i", island).With("$k", limit);
        return await NodeRows.ReadAllAsync(command, r => NodeRows.ReadSummary(r), cancellationToken);
    }

    public async Task<IReadOnlyList<Node>> CommittedAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await CommittedAfterAsync(connection, null, afterSequence, limit, cancellationToken);
    }

    internal async Task<IReadOnlyList<Node>> CommittedAfterAsync(SqliteConnection connection, SqliteTransaction? transaction, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        // "+campaign_id" keeps the planner on the rowid range; the campaign index would scan and sort every node.
        await using var command = connection.Command(
            $"SELECT {NodeRows.FullColumns} FROM nodes WHERE seq > $s AND +campaign_id = $c ORDER BY seq LIMIT $k;", transaction);
        command.With("$s", afterSequence).With("$c", CampaignId).With("$k", limit);
        return await NodeRows.ReadAllAsync(command, NodeRows.ReadNode, cancellationToken);
    }

    public async IAsyncEnumerable<Node> AllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {NodeRows.FullColumns} FROM nodes WHERE campaign_id = $c ORDER BY round;");
        command.With("$c", CampaignId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) yield return NodeRows.ReadNode(reader);
    }

    public async Task<Node?> BestAsync(CancellationToken cancellationToken = default)
    {
        var top = await TopAsync(1, null, cancellationToken);
        return top.Count == 0 ? null : await GetAsync(top[0].Id, cancellationToken);
    }

    public async Task<IReadOnlyList<BestSoFarPoint>> BestSoFarAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            $"SELECT round, CASE WHEN status = {Ok} THEN score END FROM nodes WHERE campaign_id = $c ORDER BY round;");
        command.With("$c", CampaignId);
        var points = new List<BestSoFarPoint>();
        double? best = null;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            double? score = reader.IsDBNull(1) ? null : reader.GetDouble(1);
            if (score is { } s && (best is null || s > best)) best = s;
            points.Add(new BestSoFarPoint(reader.GetInt64(0), score, best));
        }
        return points;
    }

    public async Task<NodeCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT status, COUNT(*), MAX(round) FROM nodes WHERE campaign_id = $c GROUP BY status;");
        command.With("$c", CampaignId);
        var byStatus = new Dictionary<NodeStatus, long>();
        long maxRound = -1;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            byStatus[NodeStatusExtensions.ParseWireName(reader.GetString(0))] = reader.GetInt64(1);
            maxRound = Math.Max(maxRound, reader.GetInt64(2));
        }
        var total = byStatus.Values.Sum();
        var ok = byStatus.GetValueOrDefault(NodeStatus.Ok);
        return new NodeCounts(total, ok, total - ok, maxRound, byStatus);
    }

    public async Task<IReadOnlyList<long>> MissingRoundsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT round FROM nodes WHERE campaign_id = $c ORDER BY round;");
        command.With("$c", CampaignId);
        var missing = new List<long>();
        long expected = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var round = reader.GetInt64(0);
            for (; expected < round; expected++) missing.Add(expected);
            expected = round + 1;
        }
        return missing;
    }

    public Task<IReadOnlyList<LineageEntry>> AncestorsAsync(string nodeId, CancellationToken cancellationToken = default) =>
        LineageAsync(nodeId, "SELECT parent_id, 1 FROM node_parents WHERE child_id = $id",
            "SELECT e.parent_id, w.distance + 1 FROM node_parents e JOIN walk w ON e.child_id = w.id", cancellationToken);

    public Task<IReadOnlyList<LineageEntry>> DescendantsAsync(string nodeId, CancellationToken cancellationToken = default) =>
        LineageAsync(nodeId, "SELECT child_id, 1 FROM node_parents WHERE parent_id = $id",
            "SELECT e.child_id, w.distance + 1 FROM node_parents e JOIN walk w ON e.parent_id = w.id", cancellationToken);

    private async Task<IReadOnlyList<LineageEntry>> LineageAsync(string nodeId, string start, string step, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // UNION (not UNION ALL) drops repeated (node, distance) pairs, so diamonds in the graph stay cheap.
        await using var command = connection.Command(
            $"WITH RECURSIVE walk(id, distance) AS ({start} UNION {step} WHERE w.distance < 100000) " +
            $"SELECT n.id, n.round, n.name, n.score, n.status, n.island, n.visits, MIN(w.distance) AS d " +
            "FROM walk w JOIN nodes n ON n.id = w.id GROUP BY n.id ORDER BY d, n.round;");
        command.With("$id", nodeId);
        return await NodeRows.ReadAllAsync(command, r => new LineageEntry(NodeRows.ReadSummary(r), r.GetInt32(7)), cancellationToken);
    }

    public async Task IncrementVisitsAsync(IReadOnlyCollection<string> nodeIds, CancellationToken cancellationToken = default)
    {
        if (nodeIds.Count == 0) return;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await IncrementVisitsAsync(connection, transaction, nodeIds, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    internal async Task IncrementVisitsAsync(SqliteConnection connection, SqliteTransaction transaction, IEnumerable<string> nodeIds, CancellationToken cancellationToken)
    {
        foreach (var id in nodeIds)
        {
            await using var command = connection.Command("UPDATE nodes SET visits = visits + 1 WHERE id = $id AND campaign_id = $c;", transaction);
            command.With("$id", id).With("$c", CampaignId);
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
                throw new InvalidOperationException($"Cannot count a visit to node '{id}': it is not in campaign '{CampaignId}'.");
        }
    }
}
