using System.Text.Json;
using Evolve.Durable.Protocol;
using Google.Protobuf;
using Microsoft.Data.Sqlite;

namespace Evolve.Durable.Sidecar.Storage;

/// <summary>
/// SQLite implementation of <see cref="ISidecarStore"/>: WAL journal, synchronous=FULL, one prepared
/// statement per change kind, one transaction per <see cref="Commit"/>. Events are stored as the
/// serialized HistoryEvent protobuf, so what a worker replays is byte-for-byte what was written.
/// </summary>
public sealed class SqliteSidecarStore : ISidecarStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS instances (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            version TEXT,
            execution_id TEXT NOT NULL,
            status INTEGER NOT NULL,
            input TEXT,
            output TEXT,
            custom_status TEXT,
            failure BLOB,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            completed_at INTEGER,
            scheduled_start_at INTEGER,
            parent_id TEXT,
            parent_execution_id TEXT,
            parent_task_id INTEGER,
            parent_name TEXT,
            tags TEXT
        );
        CREATE INDEX IF NOT EXISTS instances_parent ON instances(parent_id);
        CREATE TABLE IF NOT EXISTS history (
            instance_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            event BLOB NOT NULL,
            PRIMARY KEY (instance_id, seq)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS inbox (
            instance_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            event BLOB NOT NULL,
            PRIMARY KEY (instance_id, seq)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS activities (
            id INTEGER PRIMARY KEY,
            instance_id TEXT NOT NULL,
            execution_id TEXT NOT NULL,
            request BLOB NOT NULL
        );
        -- No index on activities(instance_id): the table holds only pending activities (a handful), and every
        -- step adds and removes one, so an index would cost a page write per commit to speed up rare clears.
        DROP INDEX IF EXISTS activities_instance;
        CREATE TABLE IF NOT EXISTS timers (
            id INTEGER PRIMARY KEY,
            instance_id TEXT NOT NULL,
            execution_id TEXT NOT NULL,
            timer_id INTEGER NOT NULL,
            fire_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS timers_instance ON timers(instance_id);
        """;

    private const string InstanceColumns =
        "id, name, version, execution_id, status, input, output, custom_status, failure, created_at, updated_at, " +
        "completed_at, scheduled_start_at, parent_id, parent_execution_id, parent_task_id, parent_name, tags";

    private readonly SqliteConnection _writer;
    private readonly SqliteConnection _reader;
    private readonly Lock _readerLock = new();
    private readonly Dictionary<string, SqliteCommand> _statements = new();

    public SqliteSidecarStore(string databasePath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Pooling = false,
            Mode = SqliteOpenMode.ReadWriteCreate,
        }.ToString();
        _writer = new SqliteConnection(connectionString);
        _writer.Open();
        Execute(_writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;");
        Execute(_writer, Schema);
        _reader = new SqliteConnection(connectionString);
        _reader.Open();
        Execute(_reader, "PRAGMA query_only=ON;");
    }

    public StoreSnapshot Load()
    {
        var instances = new List<InstanceRecord>();
        using (var command = _writer.CreateCommand())
        {
            command.CommandText = $"SELECT {InstanceColumns} FROM instances ORDER BY created_at, id";
            using var reader = command.ExecuteReader();
            while (reader.Read())
                instances.Add(ReadInstance(reader));
        }
        var live = instances.Where(i => !i.IsTerminal).Select(i => i.InstanceId).ToHashSet(StringComparer.Ordinal);

        var history = new Dictionary<string, List<HistoryEvent>>(StringComparer.Ordinal);
        foreach (var id in live)
            history[id] = [];
        ForEachRow("SELECT instance_id, event FROM history ORDER BY instance_id, seq", reader =>
        {
            if (history.TryGetValue(reader.GetString(0), out var list))
                list.Add(HistoryEvent.Parser.ParseFrom((byte[])reader[1]));
        });

        var inbox = new Dictionary<string, List<InboxEntry>>(StringComparer.Ordinal);
        ForEachRow("SELECT instance_id, seq, event FROM inbox ORDER BY instance_id, seq", reader =>
        {
            var id = reader.GetString(0);
            if (!live.Contains(id))
                return;
            if (!inbox.TryGetValue(id, out var list))
                inbox[id] = list = [];
            list.Add(new InboxEntry(reader.GetInt64(1), HistoryEvent.Parser.ParseFrom((byte[])reader[2])));
        });

        var activities = new List<StoredActivity>();
        ForEachRow("SELECT id, instance_id, execution_id, request FROM activities ORDER BY id", reader =>
            activities.Add(new StoredActivity(reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
                ActivityRequest.Parser.ParseFrom((byte[])reader[3]))));

        var timers = new List<StoredTimer>();
        ForEachRow("SELECT id, instance_id, execution_id, timer_id, fire_at FROM timers ORDER BY fire_at", reader =>
            timers.Add(new StoredTimer(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
                FromMillis(reader.GetInt64(4)))));

        return new StoreSnapshot(instances, history, inbox, activities, timers);
    }

    public void Commit(IReadOnlyList<StoreChange> changes)
    {
        if (changes.Count == 0)
            return;
        using var transaction = _writer.BeginTransaction();
        foreach (var change in changes)
            Apply(change, transaction);
        transaction.Commit();
    }

    public IReadOnlyList<HistoryEvent> ReadHistory(string instanceId)
    {
        lock (_readerLock)
        {
            using var command = _reader.CreateCommand();
            command.CommandText = "SELECT event FROM history WHERE instance_id = $id ORDER BY seq";
            command.Parameters.AddWithValue("$id", instanceId);
            using var reader = command.ExecuteReader();
            var events = new List<HistoryEvent>();
            while (reader.Read())
                events.Add(HistoryEvent.Parser.ParseFrom((byte[])reader[0]));
            return events;
        }
    }

    public void Dispose()
    {
        foreach (var statement in _statements.Values)
            statement.Dispose();
        _reader.Dispose();
        _writer.Dispose();
    }

    private void Apply(StoreChange change, SqliteTransaction transaction)
    {
        switch (change)
        {
            case StoreChange.PutInstance put:
                Run(transaction, $"INSERT OR REPLACE INTO instances ({InstanceColumns}) VALUES " +
                    "($id, $name, $version, $execution_id, $status, $input, $output, $custom_status, $failure, $created_at, " +
                    "$updated_at, $completed_at, $scheduled_start_at, $parent_id, $parent_execution_id, $parent_task_id, $parent_name, $tags)",
                    p => BindInstance(p, put.Record, includeInput: true));
                break;
            case StoreChange.UpdateInstance update:
                Run(transaction, "UPDATE instances SET execution_id = $execution_id, status = $status, output = $output, " +
                    "custom_status = $custom_status, failure = $failure, updated_at = $updated_at, completed_at = $completed_at " +
                    "WHERE id = $id",
                    p => BindInstance(p, update.Record, includeInput: false));
                break;
            case StoreChange.DeleteInstance delete:
                foreach (var table in (string[])["history", "inbox", "activities", "timers"])
                    Run(transaction, $"DELETE FROM {table} WHERE instance_id = $id", p => p.Add("$id", delete.InstanceId));
                Run(transaction, "DELETE FROM instances WHERE id = $id", p => p.Add("$id", delete.InstanceId));
                break;
            case StoreChange.AppendHistory append:
                Run(transaction, "INSERT INTO history (instance_id, seq, event) VALUES ($id, $seq, $event)",
                    p => p.Add("$id", append.InstanceId).Add("$seq", append.Seq).Add("$event", append.Event.ToByteArray()));
                break;
            case StoreChange.ClearHistory clear:
                Run(transaction, "DELETE FROM history WHERE instance_id = $id", p => p.Add("$id", clear.InstanceId));
                break;
            case StoreChange.AddInbox add:
                Run(transaction, "INSERT INTO inbox (instance_id, seq, event) VALUES ($id, $seq, $event)",
                    p => p.Add("$id", add.InstanceId).Add("$seq", add.Seq).Add("$event", add.Event.ToByteArray()));
                break;
            case StoreChange.RemoveInbox remove:
                Run(transaction, "DELETE FROM inbox WHERE instance_id = $id AND seq <= $seq",
                    p => p.Add("$id", remove.InstanceId).Add("$seq", remove.UpToSeq));
                break;
            case StoreChange.ClearInbox clear:
                Run(transaction, "DELETE FROM inbox WHERE instance_id = $id", p => p.Add("$id", clear.InstanceId));
                break;
            case StoreChange.AddActivity add:
                Run(transaction, "INSERT INTO activities (id, instance_id, execution_id, request) VALUES ($aid, $id, $execution_id, $request)",
                    p => p.Add("$aid", add.Activity.Id).Add("$id", add.Activity.InstanceId)
                        .Add("$execution_id", add.Activity.ExecutionId).Add("$request", add.Activity.Request.ToByteArray()));
                break;
            case StoreChange.RemoveActivity remove:
                Run(transaction, "DELETE FROM activities WHERE id = $aid", p => p.Add("$aid", remove.Id));
                break;
            case StoreChange.ClearActivities clear:
                Run(transaction, "DELETE FROM activities WHERE instance_id = $id", p => p.Add("$id", clear.InstanceId));
                break;
            case StoreChange.AddTimer add:
                Run(transaction, "INSERT INTO timers (id, instance_id, execution_id, timer_id, fire_at) VALUES ($tid, $id, $execution_id, $timer_id, $fire_at)",
                    p => p.Add("$tid", add.Timer.Id).Add("$id", add.Timer.InstanceId).Add("$execution_id", add.Timer.ExecutionId)
                        .Add("$timer_id", add.Timer.TimerId).Add("$fire_at", add.Timer.FireAt.ToUnixTimeMilliseconds()));
                break;
            case StoreChange.RemoveTimer remove:
                Run(transaction, "DELETE FROM timers WHERE id = $tid", p => p.Add("$tid", remove.Id));
                break;
            case StoreChange.ClearTimers clear:
                Run(transaction, "DELETE FROM timers WHERE instance_id = $id", p => p.Add("$id", clear.InstanceId));
                break;
            default:
                throw new InvalidOperationException($"Unknown store change {change.GetType().Name}.");
        }
    }

    /// <summary>Runs a cached prepared statement; parameters are rebound on every call.</summary>
    private void Run(SqliteTransaction transaction, string sql, Action<ParameterBinder> bind)
    {
        if (!_statements.TryGetValue(sql, out var command))
        {
            command = _writer.CreateCommand();
            command.CommandText = sql;
            _statements[sql] = command;
        }
        command.Transaction = transaction;
        bind(new ParameterBinder(command));
        command.ExecuteNonQuery();
    }

    private static void BindInstance(ParameterBinder p, InstanceRecord r, bool includeInput)
    {
        p.Add("$id", r.InstanceId).Add("$execution_id", r.ExecutionId).Add("$status", (int)r.Status)
            .Add("$output", r.Output).Add("$custom_status", r.CustomStatus).Add("$failure", r.Failure?.ToByteArray())
            .Add("$updated_at", r.UpdatedAt.ToUnixTimeMilliseconds()).Add("$completed_at", r.CompletedAt?.ToUnixTimeMilliseconds());
        if (!includeInput)
            return;
        p.Add("$name", r.Name).Add("$version", r.Version).Add("$input", r.Input)
            .Add("$created_at", r.CreatedAt.ToUnixTimeMilliseconds())
            .Add("$scheduled_start_at", r.ScheduledStartAt?.ToUnixTimeMilliseconds())
            .Add("$parent_id", r.Parent?.InstanceId).Add("$parent_execution_id", r.Parent?.ExecutionId)
            .Add("$parent_task_id", r.Parent?.TaskScheduledId).Add("$parent_name", r.Parent?.Name)
            .Add("$tags", r.Tags.Count == 0 ? null : JsonSerializer.Serialize(r.Tags));
    }

    private static InstanceRecord ReadInstance(SqliteDataReader reader)
    {
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        long? Long(int i) => reader.IsDBNull(i) ? null : reader.GetInt64(i);
        var parentId = Text(13);
        var tags = Text(17);
        return new InstanceRecord(
            InstanceId: reader.GetString(0),
            Name: reader.GetString(1),
            Version: Text(2),
            ExecutionId: reader.GetString(3),
            Status: (OrchestrationStatus)reader.GetInt32(4),
            Input: Text(5),
            Output: Text(6),
            CustomStatus: Text(7),
            Failure: reader.IsDBNull(8) ? null : TaskFailureDetails.Parser.ParseFrom((byte[])reader[8]),
            CreatedAt: FromMillis(reader.GetInt64(9)),
            UpdatedAt: FromMillis(reader.GetInt64(10)),
            CompletedAt: Long(11) is { } completed ? FromMillis(completed) : null,
            ScheduledStartAt: Long(12) is { } scheduled ? FromMillis(scheduled) : null,
            Parent: parentId is null ? null : new ParentLink(parentId, Text(14), (int)(Long(15) ?? 0), Text(16)),
            Tags: tags is null ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(tags)!);
    }

    private void ForEachRow(string sql, Action<SqliteDataReader> read)
    {
        using var command = _writer.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
            read(reader);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static DateTimeOffset FromMillis(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis);

    /// <summary>Sets named parameters on a reused command, creating them on first use.</summary>
    private readonly struct ParameterBinder(SqliteCommand command)
    {
        public ParameterBinder Add(string name, object? value)
        {
            var parameters = command.Parameters;
            var index = parameters.IndexOf(name);
            var parameter = index >= 0 ? parameters[index] : parameters.Add(new SqliteParameter { ParameterName = name });
            parameter.Value = value ?? DBNull.Value;
            return this;
        }
    }
}
