using System.Diagnostics;
using System.Globalization;
using Evolve.Core;
using Evolve.Engineering;
using Evolve.Engineering.Sandbox;
using Evolve.Engineering.StaticChecks;
using Evolve.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evolve.Bench;

/// <summary>
/// The engineer's two per-round costs: the warm static check (Roslyn compile, API rules, entry point, assembly
/// written) of the circle-packing initial program, and launching the sandboxed runner for a candidate that returns
/// at once and reading its result back. Medians; the lead folds them into `bench round`.
/// </summary>
public sealed class CandidateBenchmark : IBenchmark
{
    private const int Warmup = 3;
    private const int CompileSamples = 20;
    private const int RunSamples = 15;

    public string Name => "candidate";

    public int Order => 40;

    public async Task<string> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        await using var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddEvolveEngineering()
            .BuildServiceProvider();
        var checker = services.GetRequiredService<StaticChecker>();
        var runner = services.GetRequiredService<SandboxRunner>();
        var isolated = await services.GetRequiredService<IsolationProbe>().BubblewrapAsync(cancellationToken) is not null;
        var task = new TaskCatalog().Resolve("circle-packing");
        var initial = task.ReadInitialProgram();

        var compile = new List<double>();
        for (var i = 0; i < Warmup + CompileSamples; i++)
        {
            // A different literal each time, as the offline researcher would produce.
            var source = initial.Replace("0.9999990", (0.9999990 - i * 1e-7).ToString("0.0000000", CultureInfo.InvariantCulture));
            var clock = Stopwatch.StartNew();
            var result = checker.Check(source, task, Path.Combine(context.WorkDirectory, $"compile-{i}.dll"), cancellationToken);
            clock.Stop();
            if (!result.Passed) throw new InvalidOperationException($"the initial program failed the static check: {result.Error}");
            if (i >= Warmup) compile.Add(clock.Elapsed.TotalMilliseconds);
        }

        // Where the static check's time goes (log only): the Roslyn compile and emit alone.
        var compileOnly = new List<double>();
        var compiler = services.GetRequiredService<CandidateCompiler>();
        for (var i = 0; i < CompileSamples; i++)
        {
            var clock = Stopwatch.StartNew();
            compiler.Compile(initial.Replace("0.9999990", (0.9999980 - i * 1e-7).ToString("0.0000000", CultureInfo.InvariantCulture)), cancellationToken);
            compileOnly.Add(clock.Elapsed.TotalMilliseconds);
        }
        context.Log.WriteLine($"roslyn compile+emit alone ms: median {BenchStatistics.Median(compileOnly):F1}, min {compileOnly.Min():F1}");

        const string instant = "public static class Packing { public static double[][] Construct() => new double[0][]; }";
        var check = checker.Check(instant, task, Path.Combine(context.WorkDirectory, "instant.dll"), cancellationToken);

        // Warm: the runner for the next run starts while the round does its other work (here: a pause as long as a
        // round's other steps); cold: every run starts its own runtime (and sandbox) from nothing.
        var run = await MeasureRunsAsync(runner, check.AssemblyPath!, context, "warm", TimeSpan.FromMilliseconds(600), cancellationToken);
        using var coldRunner = new SandboxRunner(new EngineeringOptions { PrestartRunners = false },
            services.GetRequiredService<IsolationProbe>(), NullLogger<SandboxRunner>.Instance);
        var cold = await MeasureRunsAsync(coldRunner, check.AssemblyPath!, context, "cold", TimeSpan.Zero, cancellationToken);

        context.Log.WriteLine($"static check ms: median {BenchStatistics.Median(compile):F1}, min {compile.Min():F1}, max {compile.Max():F1} ({CompileSamples} samples)");
        context.Log.WriteLine($"sandboxed run ms, pre-started runner: median {BenchStatistics.Median(run):F1}, min {run.Min():F1}, max {run.Max():F1} ({RunSamples} samples, bubblewrap {(isolated ? "on" : "off")})");
        context.Log.WriteLine($"sandboxed run ms, cold start: median {BenchStatistics.Median(cold):F1}, min {cold.Min():F1}, max {cold.Max():F1}");
        return string.Create(CultureInfo.InvariantCulture,
            $"bench candidate: compile_ms={BenchStatistics.Median(compile):F1} run_ms={BenchStatistics.Median(run):F1} run_cold_ms={BenchStatistics.Median(cold):F1} isolated={(isolated ? 1 : 0)}");
    }

    private static async Task<List<double>> MeasureRunsAsync(SandboxRunner runner, string assembly, BenchContext context, string label, TimeSpan pause, CancellationToken cancellationToken)
    {
        var samples = new List<double>();
        for (var i = 0; i < Warmup + RunSamples; i++)
        {
            if (pause > TimeSpan.Zero) await Task.Delay(pause, cancellationToken);
            var clock = Stopwatch.StartNew();
            var outcome = await runner.RunAsync(new RunRequest(assembly, "Packing", "Construct", "validity",
                Path.Combine(context.WorkDirectory, $"run-{label}-{i}"), TimeSpan.FromSeconds(30), 512), cancellationToken);
            clock.Stop();
            if (outcome.Status != NodeStatus.Ok) throw new InvalidOperationException($"the instant candidate failed: {outcome.Error}");
            if (i >= Warmup) samples.Add(clock.Elapsed.TotalMilliseconds);
        }
        return samples;
    }

}
