using Microsoft.Data.Sqlite;

namespace Evolve.Storage;

/// <summary>One forward-only schema step. Versions start at 1 and have no gaps; a released migration is never edited.</summary>
public sealed record SchemaMigration(int Version, string Name, string Sql);

/// <summary>
/// Brings a database to the newest schema: each pending migration runs in its own transaction together with its row
/// in <c>schema_migrations</c>, so a crash leaves the database at some whole version, never between two.
/// </summary>
public static class SchemaMigrator
{
    public static async Task<int> MigrateAsync(SqliteDatabase database, IReadOnlyList<SchemaMigration> migrations, CancellationToken cancellationToken)
    {
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
                throw new InvalidOperationException($"Migration '{migrations[i].Name}' has version {migrations[i].Version}; versions must run 1, 2, 3, … without gaps.");
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        // WAL is a property of the file: set once, it sticks for every later connection.
        await using (var wal = connection.Command("PRAGMA journal_mode=WAL;"))
            await wal.ExecuteNonQueryAsync(cancellationToken);
        await using (var create = connection.Command(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);"))
            await create.ExecuteNonQueryAsync(cancellationToken);

        var current = await CurrentVersionAsync(connection, null, cancellationToken);
        if (current > migrations.Count)
            throw new InvalidOperationException(
                $"Database '{database.Path}' has schema version {current}, newer than this build knows ({migrations.Count}). Use a newer Evolve to open it.");

        foreach (var migration in migrations.Where(m => m.Version > current))
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            // Another process may have migrated while we waited for the write lock.
            if (await CurrentVersionAsync(connection, transaction, cancellationToken) >= migration.Version) continue;
            await using (var step = connection.Command(migration.Sql, transaction))
                await step.ExecuteNonQueryAsync(cancellationToken);
            await using (var record = connection.Command(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, $t);", transaction))
            {
                record.With("$v", migration.Version).With("$n", migration.Name).With("$t", DateTimeOffset.UtcNow.ToString("O"));
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        return await CurrentVersionAsync(connection, null, cancellationToken);
    }

    public static async Task<int> CurrentVersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT IFNULL(MAX(version), 0) FROM schema_migrations;", transaction);
        return (int)await command.ScalarLongAsync(cancellationToken);
    }
}

/// <summary>The campaign database schema, in order.</summary>
public static class CampaignSchema
{
    public static IReadOnlyList<SchemaMigration> Migrations { get; } =
    [
        new(1, "nodes", """
            CREATE TABLE nodes (
                seq           INTEGER PRIMARY KEY AUTOINCREMENT,
                id            TEXT NOT NULL UNIQUE,
                campaign_id   TEXT NOT NULL,
                round         INTEGER NOT NULL,
                name          TEXT NOT NULL,
                motivation    TEXT NOT NULL,
                code          TEXT,
                artifact_ref  TEXT,
                parent_ids    TEXT NOT NULL,
                metrics       TEXT NOT NULL,
                score         REAL,
                status        TEXT NOT NULL,
                error         TEXT,
                stage_reached INTEGER NOT NULL,
                analysis      TEXT,
                island        INTEGER NOT NULL,
                visits        INTEGER NOT NULL DEFAULT 0,
                provenance    TEXT NOT NULL,
                costs         TEXT NOT NULL,
                content_hash  TEXT NOT NULL,
                created_at    TEXT NOT NULL,
                updated_at    TEXT NOT NULL,
                UNIQUE (campaign_id, round)
            );
            CREATE INDEX ix_nodes_score ON nodes (campaign_id, status, score DESC, round);
            CREATE INDEX ix_nodes_island_score ON nodes (campaign_id, island, status, score DESC, round);
            CREATE TABLE node_parents (
                child_id  TEXT NOT NULL REFERENCES nodes (id),
                parent_id TEXT NOT NULL REFERENCES nodes (id),
                position  INTEGER NOT NULL,
                PRIMARY KEY (child_id, parent_id)
            ) WITHOUT ROWID;
            CREATE INDEX ix_node_parents_parent ON node_parents (parent_id);
            """),
        new(2, "sampler state and draws", """
            CREATE TABLE sampler_state (
                key        TEXT PRIMARY KEY,
                json       TEXT NOT NULL,
                revision   INTEGER NOT NULL,
                updated_at TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE sampler_draws (
                campaign_id TEXT NOT NULL,
                round       INTEGER NOT NULL,
                sampler     TEXT NOT NULL,
                result      TEXT NOT NULL,
                created_at  TEXT NOT NULL,
                PRIMARY KEY (campaign_id, round)
            ) WITHOUT ROWID;
            """),
        new(3, "cognition", """
            CREATE TABLE cognition_items (
                id            TEXT NOT NULL UNIQUE,
                content       TEXT NOT NULL,
                source        TEXT NOT NULL,
                metadata      TEXT NOT NULL,
                embedding     BLOB NOT NULL,
                dimensions    INTEGER NOT NULL,
                origin        TEXT NOT NULL,
                round         INTEGER,
                support_count INTEGER NOT NULL DEFAULT 1,
                created_at    TEXT NOT NULL
            );
            CREATE TABLE cognition_support (
                item_id      TEXT NOT NULL REFERENCES cognition_items (id),
                node_id      TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                round        INTEGER NOT NULL,
                PRIMARY KEY (node_id, content_hash)
            ) WITHOUT ROWID;
            CREATE INDEX ix_cognition_support_item ON cognition_support (item_id);
            """),
        // Sampling reads the top-k and the newest failures every round: a covering index answers the first without
        // touching the table, and partial indexes find failures without walking every recent ok node.
        new(4, "sampling indexes", """
            DROP INDEX ix_nodes_score;
            CREATE INDEX ix_nodes_top ON nodes (campaign_id, score DESC, round, id, name, island, visits, status) WHERE status = 'ok' AND score IS NOT NULL;
            CREATE INDEX ix_nodes_failures ON nodes (campaign_id, round DESC) WHERE status <> 'ok';
            CREATE INDEX ix_nodes_island_failures ON nodes (campaign_id, island, round DESC) WHERE status <> 'ok';
            """),
        // One row per model call, keyed like the call itself so a retried activity overwrites its own record.
        new(5, "agent transcripts", """
            CREATE TABLE transcripts (
                campaign_id   TEXT NOT NULL,
                round         INTEGER NOT NULL,
                agent         TEXT NOT NULL,
                call          INTEGER NOT NULL,
                model         TEXT NOT NULL,
                messages      TEXT NOT NULL,
                reply         TEXT NOT NULL,
                input_tokens  INTEGER NOT NULL,
                output_tokens INTEGER NOT NULL,
                cost_usd      REAL NOT NULL,
                latency_ms    REAL NOT NULL,
                at            TEXT NOT NULL,
                error         TEXT,
                PRIMARY KEY (campaign_id, round, agent, call)
            ) WITHOUT ROWID;
            """),
    ];
}
