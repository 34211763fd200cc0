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
