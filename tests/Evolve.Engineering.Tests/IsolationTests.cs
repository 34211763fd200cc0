using Evolve.Core;
using Evolve.Engineering.Sandbox;
using Microsoft.Extensions.Logging;

namespace Evolve.Engineering.Tests;

[Collection(EngineCollection.Name)]
public sealed class IsolationTests(EngineFixture engine)
{
    [Fact]
    public async Task Missing_bubblewrap_falls_back_with_a_warning_in_auto_mode()
    {
        var logger = new ListLogger<IsolationProbe>();
        var probe = new IsolationProbe(new EngineeringOptions { BwrapPath = "/nonexistent/bwrap" }, logger);

        Assert.Null(await probe.BubblewrapAsync(CancellationToken.None));
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("WITHOUT network and filesystem isolation", warning.Message);
        Assert.Contains("Install the bubblewrap package", warning.Message);
    }

    [Fact]
    public async Task Missing_bubblewrap_is_an_error_when_isolation_is_required()
    {
        var probe = new IsolationProbe(new EngineeringOptions { BwrapPath = "/nonexistent/bwrap", Isolation = SandboxIsolation.Bubblewrap },
            new ListLogger<IsolationProbe>());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => probe.BubblewrapAsync(CancellationToken.None));
        Assert.Contains("install the bubblewrap package", error.Message);
    }

    [Fact]
    public async Task Without_isolation_candidates_still_run_with_limits()
    {
        var options = new EngineeringOptions { Isolation = SandboxIsolation.None };
        var runner = new SandboxRunner(options, new IsolationProbe(options, new ListLogger<IsolationProbe>()), new ListLogger<SandboxRunner>());
        var work = engine.NewDirectory("no-isolation");
        var check = engine.Checker.Check(EngineFixture.Corpus("loops-forever"), engine.CirclePacking, Path.Combine(work, "c.dll"), CancellationToken.None);

        var outcome = await runner.RunAsync(new RunRequest(check.AssemblyPath!, "Packing", "Construct", "validity", Path.Combine(work, "run"),
            TimeSpan.FromSeconds(1), 256), CancellationToken.None);

        Assert.False(outcome.Isolated);
        Assert.Equal(NodeStatus.Timeout, outcome.Status);
    }

    [Fact]
    public async Task Runs_report_whether_they_were_isolated()
    {
        var work = engine.NewDirectory("isolated");
        var check = engine.Checker.Check(engine.CirclePacking.ReadInitialProgram(), engine.CirclePacking, Path.Combine(work, "c.dll"), CancellationToken.None);
        var outcome = await engine.Runner.RunAsync(new RunRequest(check.AssemblyPath!, "Packing", "Construct", "validity", Path.Combine(work, "run"),
            TimeSpan.FromSeconds(20), 256), CancellationToken.None);

        Assert.True(outcome.Status == NodeStatus.Ok, outcome.Error);
        Assert.Equal(engine.Isolated, outcome.Isolated);
        Assert.StartsWith("[[", File.ReadAllText(outcome.OutputPath!));
    }

    private sealed class ListLogger<T> : ILogger<T>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}

[Collection(EngineCollection.Name)]
public sealed class PrestartedRunnerTests(EngineFixture engine)
{
    [Fact]
    public async Task Next_run_uses_a_prestarted_runner_with_a_fresh_scratch_directory()
    {
        var spares = engine.NewDirectory("spares");
        var options = new EngineeringOptions { SpareDirectory = spares };
        var runner = new SandboxRunner(options, new IsolationProbe(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<IsolationProbe>.Instance),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<SandboxRunner>.Instance);
        var task = engine.QuickCirclePacking(allowAnyApi: true);
        var work = engine.NewDirectory("prestart");
        var check = engine.Checker.Check(EngineFixture.Corpus("writes-in-scratch"), task, Path.Combine(work, "c.dll"), CancellationToken.None);
        RunRequest Request(string name) => new(check.AssemblyPath!, "Packing", "Construct", "validity", Path.Combine(work, name), TimeSpan.FromSeconds(30), 300);

        try
        {
            var first = await runner.RunAsync(Request("first"), CancellationToken.None);
            // Give the spare time to start on a loaded machine; it is used even if still warming up.
            await Task.Delay(TimeSpan.FromSeconds(2));
            File.Delete(Path.Combine(work, "first", "scratch", "notes.txt"));
            var second = await runner.RunAsync(Request("second"), CancellationToken.None);

            Assert.True(first.Status == NodeStatus.Ok, first.Error);
            Assert.True(second.Status == NodeStatus.Ok, second.Error);
            Assert.False(first.Prestarted);
            Assert.True(second.Prestarted);
            // The spare's files moved into the run directory; the first run's scratch did not leak into the second.
            Assert.Equal(["notes.txt"], Directory.GetFiles(Path.Combine(work, "second", "scratch")).Select(Path.GetFileName));
            Assert.Empty(Directory.GetFiles(Path.Combine(work, "first", "scratch")));
            Assert.True(File.Exists(Path.Combine(work, "second", SandboxRunner.OutputFile)));
        }
        finally
        {
            runner.Dispose();
        }

        // Disposing retires the spare that was waiting for a third run.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (ProcessesMentioning(spares) > 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(0, ProcessesMentioning(spares));
    }

    [Fact]
    public async Task Without_prestarting_every_run_starts_its_own_runner()
    {
        var options = new EngineeringOptions { PrestartRunners = false };
        using var runner = new SandboxRunner(options, new IsolationProbe(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<IsolationProbe>.Instance),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<SandboxRunner>.Instance);
        var work = engine.NewDirectory("cold");
        var check = engine.Checker.Check(engine.CirclePacking.ReadInitialProgram(), engine.CirclePacking, Path.Combine(work, "c.dll"), CancellationToken.None);
        for (var i = 0; i < 2; i++)
        {
            var outcome = await runner.RunAsync(new RunRequest(check.AssemblyPath!, "Packing", "Construct", "validity", Path.Combine(work, $"run{i}"),
                TimeSpan.FromSeconds(30), 256), CancellationToken.None);
            Assert.True(outcome.Status == NodeStatus.Ok, outcome.Error);
            Assert.False(outcome.Prestarted);
        }
    }

    private static int ProcessesMentioning(string text)
    {
        var count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var cwd = new DirectoryInfo(Path.Combine(dir, "cwd")).LinkTarget ?? "";
                if (cwd.StartsWith(text, StringComparison.Ordinal) ||
                    File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Contains(text, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return count;
    }
}
