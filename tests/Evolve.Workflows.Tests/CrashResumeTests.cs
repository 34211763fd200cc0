using Evolve.Core;
using Evolve.Durable.Tests.Processes;
using Evolve.Storage;
using Xunit.Abstractions;

namespace Evolve.Workflows.Tests;

/// <summary>`evolve run` in a child process, SIGKILLed three times at random points, then run to completion.</summary>
public sealed class CrashResumeTests(ITestOutputHelper log) : IDisposable
{
    private const int Rounds = 30;
    private readonly string _root = Directory.CreateTempSubdirectory("evolve-crash-test-").FullName;

    [Fact]
    public async Task Killed_run_resumes_with_exactly_one_node_per_round_no_gaps_and_a_best_that_never_drops()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        log.WriteLine($"random seed {seed}");
        var directory = Path.Combine(_root, "campaign");
        string[] command = ["run", "circle-packing", "--rounds", Rounds.ToString(), "--parallel", "2", "--campaign-dir", directory];
        var seen = new Dictionary<long, (NodeStatus Status, double? Score, string? Code)>();
        double? bestSoFar = null;

        // Kill 1: a few rounds in. Kill 2: anywhere from start-up on, but before a fast machine could finish the campaign
        // (at most a few new commits in). Kill 3: right after a new commit.
        Func<EvolveProcess, Task>[] killPoints =
        [
            async p =>
            {
                await p.WaitForLineAsync(l => RoundsDone(l) >= 2, TimeSpan.FromSeconds(120));
                await RandomPointAsync(p, random.Next(0, 1500));
            },
            p => RandomPointAsync(p, random.Next(300, 5000)),
            async p =>
            {
                var committed = await CountAsync(directory);
                var deadline = DateTime.UtcNow.AddSeconds(120);
                while (await CountAsync(directory) <= committed && DateTime.UtcNow < deadline && !p.HasExited) await Task.Delay(20);
                await Task.Delay(random.Next(0, 400));
            },
        ];

        for (var kill = 0; kill < killPoints.Length; kill++)
        {
            await using var process = EvolveProcess.Start(command);
            await killPoints[kill](process);
            Assert.False(process.HasExited, $"evolve ended before kill {kill + 1}:\n{process.Output}");
            await process.KillAsync();
            log.WriteLine($"--- killed ({kill + 1}) ---\n{process.Output}");
            bestSoFar = await CheckAsync(directory, seen, bestSoFar);
        }
        Assert.True(seen.Count >= 2, "the kills left no progress at all");

        await using (var final = EvolveProcess.Start(command))
        {
            var exit = await final.WaitForExitAsync(TimeSpan.FromSeconds(180));
            log.WriteLine($"--- final ---\n{final.Output}");
            Assert.True(exit == 0, $"the resumed run exited {exit}:\n{final.Output}");
            Assert.Contains($"finished: {StopReasons.RoundsDone}", final.Output);
            Assert.Contains(CampaignLauncher.BestProgramPath(directory), final.Output);
        }
        await CheckAsync(directory, seen, bestSoFar);

        using var storage = await CampaignStorage.OpenAsync(directory, "circle-packing");
        var nodes = await storage.Nodes.AllAsync().ToListAsync();
        Assert.Equal(Enumerable.Range(0, Rounds + 1).Select(r => (long)r), nodes.Select(n => n.Round));
        Assert.Empty(await storage.Nodes.MissingRoundsAsync());
        Assert.Equal(nodes.Count, nodes.Select(n => n.Id).Distinct().Count());
        Assert.True(File.Exists(CampaignLauncher.BestProgramPath(directory)));
    }

    /// <summary>Committed nodes never change, no round is skipped, and the best score never goes backwards.</summary>
    private static async Task<double?> CheckAsync(string directory, Dictionary<long, (NodeStatus, double?, string?)> seen, double? bestBefore)
    {
        if (!File.Exists(Path.Combine(directory, CampaignDirectory.DatabaseFileName))) return bestBefore;
        using var storage = await CampaignStorage.OpenAsync(directory, "circle-packing");
        var nodes = await storage.Nodes.AllAsync().ToListAsync();
        foreach (var node in nodes)
        {
            var now = (node.Status, node.Score, node.Code);
            if (seen.TryGetValue(node.Round, out var before)) Assert.Equal(before, now);
            seen[node.Round] = now;
        }
        // Rounds run two at a time, so at most the last round in flight may be missing below the highest committed one.
        Assert.True((await storage.Nodes.MissingRoundsAsync()).Count <= 1, "more than one round missing after a kill");
        var best = (await storage.Nodes.BestAsync())?.Score;
        if (bestBefore is { } b) Assert.True(best >= b, $"best went from {b} to {best}");
        var curve = await storage.Nodes.BestSoFarAsync();
        for (var i = 1; i < curve.Count; i++) Assert.True(curve[i].BestScore >= curve[i - 1].BestScore);
        return best ?? bestBefore;
    }

    /// <summary>The "round N/M" of a progress line, or -1.</summary>
    /// <summary>
    /// After <paramref name="delayMs"/>, or earlier when the run nears its end: on an idle machine rounds take ~100 ms,
    /// and a run that finishes before its kill proves nothing.
    /// </summary>
    private static Task RandomPointAsync(EvolveProcess process, int delayMs) =>
        Task.WhenAny(Task.Delay(delayMs), process.WaitForLineAsync(l => RoundsDone(l) >= Rounds - 5, TimeSpan.FromSeconds(120)));

    private static int RoundsDone(string line)
    {
        var match = System.Text.RegularExpressions.Regex.Match(line, @" round (\d+)/");
        return match.Success ? int.Parse(match.Groups[1].Value) : -1;
    }

    private static async Task<long> CountAsync(string directory)
    {
        if (!File.Exists(Path.Combine(directory, CampaignDirectory.DatabaseFileName))) return 0;
        using var storage = await CampaignStorage.OpenAsync(directory, "circle-packing");
        return (await storage.Nodes.CountAsync()).Total;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A killed runner's files may linger a moment.
        }
    }
}
