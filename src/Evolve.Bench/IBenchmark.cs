namespace Evolve.Bench;

/// <summary>One benchmark of `make bench`. Writes progress freely; returns its summary line.</summary>
public interface IBenchmark
{
    /// <summary>Short name used on the command line and in the summary ("durable", "sampler", …).</summary>
    string Name { get; }

    /// <summary>Order among benchmarks (lower first), so the summary lines come out stable.</summary>
    int Order { get; }

    /// <summary>Runs the benchmark and returns the line "bench NAME: key=value …".</summary>
    Task<string> RunAsync(BenchContext context, CancellationToken cancellationToken);
}

/// <param name="WorkDirectory">A scratch directory on the same disk as the repository, deleted afterwards.</param>
/// <param name="Log">Progress output (stderr), kept apart from the summary lines.</param>
public sealed record BenchContext(string WorkDirectory, TextWriter Log);
