namespace Evolve.Bench;

/// <summary>
/// Warm-up that lasts until the JIT is done: a service that runs for days is measured warm. A fixed number of rounds
/// was not enough. Tiering promotes methods in stages (tier 0, instrumented, tier 1), each after its methods were
/// called often enough and the JIT had a quiet spell, so in the durable benchmark the JIT went on compiling hundreds
/// of methods, 0.1-0.5 s of a core, in each of the twenty rounds after a three-round warm-up, and those rounds ran at
/// about half the warm rate.
/// </summary>
internal static class WarmUp
{
    /// <summary>A round whose JIT work stays under this counts as quiet.</summary>
    public static readonly TimeSpan QuietJit = TimeSpan.FromMilliseconds(20);

    /// <summary>Runs <paramref name="round"/> (given its number) until two rounds in a row are quiet; returns the rounds run.</summary>
    public static async Task<int> UntilJitIsQuietAsync(Func<int, Task> round, int maxRounds, CancellationToken cancellationToken)
    {
        var rounds = 0;
        for (var quietRounds = 0; quietRounds < 2 && rounds < maxRounds; rounds++)
        {
            var jit = JitWork.Start();
            await round(rounds);
            quietRounds = jit.Elapsed < QuietJit ? quietRounds + 1 : 0;
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken); // a quiet spell lets tiering move on
        }

        return rounds;
    }
}

/// <summary>Time the JIT spent compiling (on any thread, tier-1 promotions included) since <see cref="Start"/>.</summary>
internal readonly record struct JitWork(TimeSpan Before, long MethodsBefore)
{
    public static JitWork Start() => new(System.Runtime.JitInfo.GetCompilationTime(), System.Runtime.JitInfo.GetCompiledMethodCount());

    public TimeSpan Elapsed => System.Runtime.JitInfo.GetCompilationTime() - Before;

    public long Methods => System.Runtime.JitInfo.GetCompiledMethodCount() - MethodsBefore;
}
