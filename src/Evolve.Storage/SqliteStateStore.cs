using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Evolve.Storage;

/// <summary>A stored JSON document and its revision (1 for the first write, +1 for each later one).</summary>
public sealed record StoredState(string Key, string Json, long Revision);

/// <summary>
/// Small named JSON documents (sampler state, and anything else a campaign must carry across restarts), each written
/// whole in one transaction, so a crash leaves either the old or the new document, never a mix.
/// </summary>
public sealed class SqliteStateStore(SqliteDatabase database, TimeProvider timeProvider)
{
    public async Task<StoredState?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await GetAsync(connection, null, key, cancellationToken);
    }

    public async Task<StoredState> SetAsync(string key, string json, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var stored = await SetAsync(connection, transaction, key, json, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return stored;
    }

    internal static async Task<StoredState?> GetAsync(SqliteConnection connection, SqliteTransaction? transaction, string key, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT json, revision FROM sampler_state WHERE key = $k;", transaction);
        command.With("$k", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new StoredState(key, reader.GetString(0), reader.GetInt64(1)) : null;
    }

    internal static async Task<long> RevisionAsync(SqliteConnection connection, SqliteTransaction? transaction, string key, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT revision FROM sampler_state WHERE key = $k;", transaction);
        command.With("$k", key);
        return await command.ScalarLongAsync(cancellationToken);
    }

    internal async Task<StoredState> SetAsync(SqliteConnection connection, SqliteTransaction transaction, string key, string json, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(key)) throw new ArgumentException("A state key must not be empty.", nameof(key));
        await using var command = connection.Command(
            "INSERT INTO sampler_state (key, json, revision, updated_at) VALUES ($k, $j, 1, $t) " +
            "ON CONFLICT (key) DO UPDATE SET json = excluded.json, revision = sampler_state.revision + 1, updated_at = excluded.updated_at " +
            "RETURNING revision;", transaction);
        command.With("$k", key).With("$j", json).With("$t", timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        return new StoredState(key, json, await command.ScalarLongAsync(cancellationToken));
    }
}
