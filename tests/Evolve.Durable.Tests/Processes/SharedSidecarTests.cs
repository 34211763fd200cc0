using Microsoft.Data.Sqlite;

namespace Evolve.Durable.Tests.Processes;

/// <summary>Several worker processes attached to one standalone sidecar (one per GPU, say).</summary>
public sealed class SharedSidecarTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "evolve-shared", Guid.NewGuid().ToString("N"));

    public SharedSidecarTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Two_workers_share_the_activities_and_a_killed_workers_activity_moves_to_the_other()
    {
        await using var sidecar = EvolveProcess.Start("sidecar", "--db", Path.Combine(_directory, "workflows.db"), "--port", "0");
        var line = await sidecar.WaitForLineAsync(l => l.StartsWith("sidecar listening on "), TimeSpan.FromMinutes(1));
        var url = line["sidecar listening on ".Length..].Split(' ')[0];

        await using var first = EvolveProcess.Start("worker", "--sidecar", url);
        await using var second = EvolveProcess.Start("worker", "--sidecar", url);
        await first.WaitForLineAsync(l => l.Contains("worker running"), TimeSpan.FromMinutes(1));
        await second.WaitForLineAsync(l => l.Contains("worker running"), TimeSpan.FromMinutes(1));

        const int steps = 8;
        await using var demo = EvolveProcess.Start("demo", "--no-worker", "--sidecar", url, "--steps", $"{steps}",
            "--step-ms", "1500", "--parallel", "2", "--instance", "shared", "--state-dir", _directory);

        // Wait until each worker has run at least one activity, then kill the first one while it is
        // inside an activity (its effect is recorded; it then works for 1.5 s before answering, a wide window on a busy machine).
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        string? inFlightKey = null;
        while (inFlightKey is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"workers did not both run activities; demo output:\n{demo.Output}");
            var attempts = Attempts();
            if (attempts.Any(a => a.Pid == second.Id) && attempts.Count > 0 && attempts[^1].Pid == first.Id)
                inFlightKey = attempts[^1].Key;
            else
                await Task.Delay(10);
        }
        await first.KillAsync();

        Assert.Equal(0, await demo.WaitForExitAsync(TimeSpan.FromMinutes(3)));
        var all = Attempts();
        var trace = $"killed {first.Id} during {inFlightKey}; attempts: {string.Join(", ", all.Select(a => $"{a.Key}@{a.Pid}"))}";
        Assert.True(steps == all.Select(a => a.Key).Distinct().Count(), trace);
        // The killed worker's activity was run again, by the survivor.
        Assert.True(all.Any(a => a.Key == inFlightKey && a.Pid == second.Id), trace);
        // Everything after the kill ran on the survivor.
        var killIndex = all.FindIndex(a => a.Key == inFlightKey && a.Pid == first.Id);
        Assert.True(all.Skip(killIndex + 1).All(a => a.Pid == second.Id), trace);
    }

    private List<(string Key, int Pid)> Attempts()
    {
        var path = Path.Combine(_directory, "effects.db");
        if (!File.Exists(path)) return [];
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key, pid FROM attempts ORDER BY id";
        try
        {
            using var reader = command.ExecuteReader();
            var rows = new List<(string, int)>();
            while (reader.Read()) rows.Add((reader.GetString(0), reader.GetInt32(1)));
            return rows;
        }
        catch (SqliteException)
        {
            return []; // the ledger's tables are created by the first activity
        }
    }
}
