using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Evolve.Durable.Tests.Processes;

/// <summary>Crash survival with real processes: SIGKILL at random points, restart, finish exactly once.</summary>
public sealed class CrashSurvivalTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "evolve-crash", Guid.NewGuid().ToString("N"));

    public CrashSurvivalTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Workflow_killed_five_times_completes_with_every_effect_exactly_once()
    {
        const int steps = 16;
        var arguments = new[] { "demo", "--steps", $"{steps}", "--step-ms", "200", "--instance", "crash", "--state-dir", _directory };
        var random = new Random(20261122);
        var killedAfterAttempts = new List<int>();

        for (var kill = 0; kill < 5; kill++)
        {
            var before = AttemptCount();
            await using var run = EvolveProcess.Start(arguments);
            // Let the restarted process make progress (at least one new activity attempt), then kill
            // it at a random moment — most likely inside an activity, after its effect was recorded.
            await WaitUntilAsync(() => AttemptCount() > before || run.HasExited, TimeSpan.FromSeconds(90), run);
            Assert.False(run.HasExited, $"evolve finished before kill {kill + 1}; output:\n{run.Output}");
            await Task.Delay(random.Next(0, 300));
            await run.KillAsync();
            killedAfterAttempts.Add(AttemptCount());
        }

        await using (var final = EvolveProcess.Start(arguments))
        {
            var exit = await final.WaitForExitAsync(TimeSpan.FromMinutes(3));
            Assert.True(exit == 0, $"final run exited {exit}:\n{final.Output}");
            Assert.Contains("completed:", final.Output);
        }

        var effects = Query("SELECT key FROM effects ORDER BY step").ToList();
        Assert.Equal(Enumerable.Range(1, steps).Select(i => $"crash/step-{i}"), effects);
        var attempts = AttemptCount();
        Assert.True(attempts > steps, $"expected re-run activities after 5 kills, saw {attempts} attempts for {steps} steps");

        // The history records the re-runs: completed activity results carry their attempt counts.
        await using var history = EvolveProcess.Start("workflows", "history", "crash", "--json", "--state-dir", _directory);
        Assert.Equal(0, await history.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        var completions = history.Output.Split('\n')
            .Where(line => line.StartsWith('{') && line.Contains("taskCompleted"))
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("taskCompleted").GetProperty("result").GetString()!)
            .Select(result => JsonDocument.Parse(result).RootElement.GetProperty("attempts").GetInt32())
            .ToList();
        Assert.Equal(steps, completions.Count);
        Assert.Contains(completions, a => a > 1);
        Assert.Equal(attempts, completions.Sum());
    }

    private int AttemptCount() => File.Exists(LedgerPath) ? Convert.ToInt32(Query("SELECT COUNT(*) FROM attempts").Single()) : 0;

    private string LedgerPath => Path.Combine(_directory, "effects.db");

    private IEnumerable<string> Query(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={LedgerPath};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read()) rows.Add(Convert.ToString(reader.GetValue(0))!);
        return rows;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, EvolveProcess process)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"condition not met in {timeout}; output:\n{process.Output}");
            await Task.Delay(20);
        }
    }
}
