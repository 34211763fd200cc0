using Microsoft.Data.Sqlite;

namespace Evolve.Cli.Demo;

/// <summary>
/// The demo's external side effects: one row per idempotency key (what must exist exactly once)
/// plus one row per attempt (what shows that an activity was re-run after a crash).
/// </summary>
public sealed class EffectLedger
{
    private readonly string _connectionString;

    public EffectLedger(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        using var connection = Open();
        Execute(connection, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY, step INTEGER NOT NULL, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, pid INTEGER NOT NULL);
            """);
    }

    /// <summary>Records an attempt and applies the effect once; returns how many attempts the key has had.</summary>
    public int Apply(string key, int step, string value)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        Execute(connection, "INSERT INTO attempts (key, pid) VALUES ($key, $pid)", ("$key", key), ("$pid", Environment.ProcessId));
        Execute(connection, "INSERT OR IGNORE INTO effects (key, step, value) VALUES ($key, $step, $value)",
            ("$key", key), ("$step", step), ("$value", value));
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM attempts WHERE key = $key";
        count.Parameters.AddWithValue("$key", key);
        var attempts = Convert.ToInt32(count.ExecuteScalar());
        transaction.Commit();
        return attempts;
    }

    public IReadOnlyList<(string Key, int Attempts)> Summary()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT e.key, (SELECT COUNT(*) FROM attempts a WHERE a.key = e.key)
            FROM effects e ORDER BY e.step
            """;
        using var reader = command.ExecuteReader();
        var rows = new List<(string, int)>();
        while (reader.Read()) rows.Add((reader.GetString(0), reader.GetInt32(1)));
        return rows;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }
}
