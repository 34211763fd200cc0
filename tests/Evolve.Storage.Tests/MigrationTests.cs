using Evolve.Core;

namespace Evolve.Storage.Tests;

public sealed class MigrationTests
{
    [Fact]
    public async Task An_empty_file_is_brought_to_the_newest_version_in_wal_mode()
    {
        using var temp = new TempCampaign();
        Directory.CreateDirectory(temp.Root);
        var database = new SqliteDatabase(Path.Combine(temp.Root, "campaign.db"));

        var version = await SchemaMigrator.MigrateAsync(database, CampaignSchema.Migrations, CancellationToken.None);

        Assert.Equal(CampaignSchema.Migrations.Count, version);
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var mode = connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await mode.ExecuteScalarAsync());
        await using var tables = connection.CreateCommand();
        tables.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;";
        var names = new List<string>();
        await using (var reader = await tables.ExecuteReaderAsync())
            while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        Assert.Superset(new HashSet<string> { "nodes", "node_parents", "sampler_state", "sampler_draws", "cognition_items", "cognition_support", "schema_migrations" }, names.ToHashSet());
        // Running again changes nothing.
        Assert.Equal(version, await SchemaMigrator.MigrateAsync(database, CampaignSchema.Migrations, CancellationToken.None));
    }

    [Fact]
    public async Task An_older_database_is_upgraded_and_keeps_its_nodes()
    {
        using var temp = new TempCampaign();
        Directory.CreateDirectory(temp.Root);
        var database = new SqliteDatabase(Path.Combine(temp.Root, "campaign.db"));
        Assert.Equal(1, await SchemaMigrator.MigrateAsync(database, CampaignSchema.Migrations.Take(1).ToList(), CancellationToken.None));
        var oldStore = new SqliteNodeStore(database, "camp", TimeProvider.System);
        await oldStore.CommitNodeAsync(TempCampaign.Node(0, 4.2));

        using var storage = await temp.OpenAsync();

        await using (var connection = await storage.Database.OpenAsync(CancellationToken.None))
            Assert.Equal(CampaignSchema.Migrations.Count, await SchemaMigrator.CurrentVersionAsync(connection, null, CancellationToken.None));
        Assert.Equal(4.2, (await storage.Nodes.GetAsync("n00000"))!.Score);
        await storage.States.SetAsync("k", "{}"); // a table added by a later migration
        Assert.Equal(0, await storage.Cognition.CountAsync());
    }

    [Fact]
    public async Task A_failing_migration_leaves_the_previous_version_intact()
    {
        using var temp = new TempCampaign();
        Directory.CreateDirectory(temp.Root);
        var database = new SqliteDatabase(Path.Combine(temp.Root, "campaign.db"));
        var broken = CampaignSchema.Migrations.Take(1).Append(new SchemaMigration(2, "broken", "CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;")).ToList();

        await Assert.ThrowsAnyAsync<Exception>(() => SchemaMigrator.MigrateAsync(database, broken, CancellationToken.None));

        await using var connection = await database.OpenAsync(CancellationToken.None);
        Assert.Equal(1, await SchemaMigrator.CurrentVersionAsync(connection, null, CancellationToken.None));
        await using var half = connection.CreateCommand();
        half.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'half';";
        Assert.Equal(0L, (long)(await half.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_database_from_a_newer_build_is_refused()
    {
        using var temp = new TempCampaign();
        Directory.CreateDirectory(temp.Root);
        var database = new SqliteDatabase(Path.Combine(temp.Root, "campaign.db"));
        var future = CampaignSchema.Migrations.Append(new SchemaMigration(CampaignSchema.Migrations.Count + 1, "future", "CREATE TABLE future (x INTEGER);")).ToList();
        await SchemaMigrator.MigrateAsync(database, future, CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SchemaMigrator.MigrateAsync(database, CampaignSchema.Migrations, CancellationToken.None));
        Assert.Contains("newer", error.Message);
    }

    [Fact]
    public void Campaign_directory_creates_its_folders()
    {
        using var temp = new TempCampaign();
        Assert.False(CampaignDirectory.Exists(temp.Root));
        var directory = CampaignDirectory.Open(temp.Root);
        Assert.True(Directory.Exists(directory.ArtifactsDirectory));
        Assert.True(Directory.Exists(directory.LogsDirectory));
        Assert.True(Directory.Exists(directory.PlotsDirectory));
        Assert.Equal(Path.Combine(temp.Root, "campaign.db"), directory.DatabasePath);
    }
}

public sealed class QueryPlanTests
{
    private static async Task<string> PlanAsync(CampaignStorage storage, string sql)
    {
        await using var connection = await storage.Database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        var details = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) details.Add(reader.GetString(3));
        return string.Join(" | ", details);
    }

    /// <summary>The queries every round runs must stay index-only lookups; a plan regression would scan the whole campaign.</summary>
    [Fact]
    public async Task Per_round_sampling_queries_use_their_indexes()
    {
        using var temp = new TempCampaign();
        using var storage = await temp.OpenAsync();
        var top = await PlanAsync(storage, "SELECT id, round, name, score, status, island, visits FROM nodes WHERE campaign_id = 'c' AND status = 'ok' AND score IS NOT NULL ORDER BY score DESC, round ASC LIMIT 50");
        Assert.Contains("COVERING INDEX ix_nodes_top", top);
        var failures = await PlanAsync(storage, "SELECT id FROM nodes WHERE campaign_id = 'c' AND status <> 'ok' ORDER BY round DESC LIMIT 12");
        Assert.Contains("ix_nodes_failures", failures);
        var after = await PlanAsync(storage, "SELECT id FROM nodes WHERE seq > 5 AND +campaign_id = 'c' ORDER BY seq LIMIT 10");
        Assert.DoesNotContain("TEMP B-TREE", after);
    }
}
