using Evolve.Torch.Training;
using Evolve.Torch.Mixers;
using static TorchSharp.torch;

namespace Evolve.Torch.Checks;

/// <summary>Outcome of one static check; <see cref="Reason"/> says why in words a researcher can act on.</summary>
public sealed record CheckResult(string Check, bool Passed, string Reason);

/// <summary>Sizes and bounds of the static checks (small, so they run in seconds on a CPU).</summary>
public sealed record MixerCheckOptions
{
    public int Dim { get; init; } = 64;
    public int Batch { get; init; } = 2;
    /// <summary>Sequence length of the causality and finiteness probes.</summary>
    public int ProbeLength { get; init; } = 96;
    /// <summary>The short length T of the cost check; the long one is 4T.</summary>
    public int CostLength { get; init; } = 512;
    /// <summary>Peak memory below this counts as this much in the cost check (allocator noise).</summary>
    public double MemoryFloorBytes { get; init; } = 2e6;
    /// <summary>Largest accepted growth exponent: cost(4T)/cost(T) ≤ 4^bound. Linear is 1, attention 2.</summary>
    public double MaxCostExponent { get; init; } = 1.5;
    /// <summary>Extra slack for timings, which stay somewhat noisy on a shared machine.</summary>
    public double TimeExponentSlack { get; init; } = 0.35;
    public int TimingRepeats { get; init; } = 3;
    public long MinParameters { get; init; } = 1;
    public long MaxParameters { get; init; } = 1_000_000;
    public double CausalTolerance { get; init; } = 1e-4;
    public long Seed { get; init; } = 1234;
}

/// <summary>
/// Checks run on a candidate mixer before any training: parameter count, finite forward/backward,
/// causality and sub-quadratic cost. Each returns a clear reason; <see cref="RunAll"/> stops at the
/// first failure, because later checks assume the earlier ones hold.
/// </summary>
public static class MixerChecks
{
    public static IReadOnlyList<CheckResult> RunAll(MixerFactory factory, MixerCheckOptions options, CancellationToken cancellationToken = default)
    {
        TorchRuntime.EnsureLoaded();
        var results = new List<CheckResult>();
        manual_seed(options.Seed);
        nn.Module<Tensor, Tensor> mixer;
        try
        {
            mixer = factory(options.Dim);
        }
        catch (Exception e)
        {
            results.Add(new CheckResult("construct", false, $"building the mixer at width {options.Dim} threw {TorchErrors.Describe(e)}"));
            return results;
        }
        using (mixer)
        {
            var checks = new (string Name, Func<nn.Module<Tensor, Tensor>, MixerCheckOptions, CheckResult> Run)[]
            {
                ("parameters", ParameterCount), ("finite", FiniteForwardBackward), ("causal", Causality), ("subquadratic", CostScaling),
            };
            foreach (var (name, check) in checks)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = Guarded(name, check, mixer, options);
                results.Add(result);
                if (!result.Passed) break;
            }
        }
        return results;
    }

    public static CheckResult ParameterCount(nn.Module<Tensor, Tensor> mixer, MixerCheckOptions options)
    {
        long count = mixer.parameters().Sum(p => p.numel());
        bool ok = count >= options.MinParameters && count <= options.MaxParameters;
        return new CheckResult("parameters", ok, ok
            ? $"{count:N0} parameters at width {options.Dim}, within [{options.MinParameters:N0}, {options.MaxParameters:N0}]"
            : $"{count:N0} parameters at width {options.Dim}, outside the allowed [{options.MinParameters:N0}, {options.MaxParameters:N0}]; resize the layer");
    }

    /// <summary>A forward and backward pass on random input must give finite outputs and gradients of the input shape.</summary>
    public static CheckResult FiniteForwardBackward(nn.Module<Tensor, Tensor> mixer, MixerCheckOptions options)
    {
        using var scope = NewDisposeScope();
        mixer.train();
        mixer.zero_grad();
        var input = randn(options.Batch, options.ProbeLength, options.Dim).requires_grad_(true);
        var output = mixer.forward(input);
        long[] expected = [options.Batch, options.ProbeLength, options.Dim];
        if (!output.shape.SequenceEqual(expected))
            return new CheckResult("finite", false, $"output shape [{string.Join(", ", output.shape)}] differs from the input shape [{string.Join(", ", expected)}]; a mixer maps (batch, time, dim) to the same shape");
        if (!isfinite(output).all().item<bool>())
            return new CheckResult("finite", false, $"the forward pass produced NaN or infinite values ({CountNonFinite(output)} of {output.numel()}) on standard-normal input");
        output.pow(2).mean().backward();
        if (input.grad is { } inputGrad && !isfinite(inputGrad).all().item<bool>())
            return new CheckResult("finite", false, "the backward pass produced NaN or infinite gradients with respect to the input");
        foreach (var (name, parameter) in mixer.named_parameters())
        {
            if (parameter.grad is { } grad && !isfinite(grad).all().item<bool>())
                return new CheckResult("finite", false, $"the backward pass produced NaN or infinite gradients for parameter '{name}'");
        }
        mixer.zero_grad();
        return new CheckResult("finite", true, "forward and backward passes are finite");
    }

    /// <summary>
    /// Replaces the input from a cut point on with fresh noise (at several cuts, including single-token
    /// changes) and requires every output before the cut to stay the same.
    /// </summary>
    public static CheckResult Causality(nn.Module<Tensor, Tensor> mixer, MixerCheckOptions options)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        mixer.eval();
        int length = options.ProbeLength;
        var input = randn(options.Batch, length, options.Dim);
        var reference = mixer.forward(input);
        double scale = 1 + reference.abs().max().item<float>();
        foreach (int cut in new[] { 1, length / 3, length / 2 + 1, length - 1 }.Distinct())
        {
            foreach (bool onlyOneToken in new[] { false, true })
            {
                var changed = input.clone();
                int span = onlyOneToken ? 1 : length - cut;
                changed.narrow(1, cut, span).copy_(randn(options.Batch, span, options.Dim) * 3);
                var output = mixer.forward(changed);
                double difference = (output.narrow(1, 0, cut) - reference.narrow(1, 0, cut)).abs().max().item<float>();
                if (!(difference <= options.CausalTolerance * scale))
                {
                    mixer.train();
                    string what = onlyOneToken ? $"token {cut}" : $"tokens {cut}..{length - 1}";
                    return new CheckResult("causal", false,
                        $"not causal: changing {what} changed outputs at earlier positions (max difference {difference:G3}); position t may only depend on tokens 0..t");
                }
            }
        }
        mixer.train();
        return new CheckResult("causal", true, "outputs never depend on later tokens");
    }

    /// <summary>
    /// Growth of cost from T to 4T, as an exponent (1 linear, 2 quadratic). Memory is the peak
    /// resident memory a no-grad forward pass adds (a load on the machine does not change it, but
    /// other work in the same process would: run checks alone); time as the best of several CPU-time samples, confirmed once more before rejecting.
    /// </summary>
    public static CheckResult CostScaling(nn.Module<Tensor, Tensor> mixer, MixerCheckOptions options)
    {
        mixer.eval();
        try
        {
            int shortLength = options.CostLength, longLength = 4 * options.CostLength;
            // Below the floor a difference is allocator noise, not growth.
            double floor = options.MemoryFloorBytes;
            long shortBytes = ForwardPeakBytes(mixer, options, shortLength), longBytes = ForwardPeakBytes(mixer, options, longLength);
            double memoryExponent = Exponent(Math.Max(shortBytes, floor), Math.Max(longBytes, floor));
            if (memoryExponent > options.MaxCostExponent)
                return new CheckResult("subquadratic", false,
                    $"memory grows as T^{memoryExponent:F2} ({shortBytes / 1e6:F1} MB at T={shortLength}, {longBytes / 1e6:F1} MB at {longLength}; allowed T^{options.MaxCostExponent:F2}); intermediate tensors must not grow with T² — e.g. avoid materialising a time × time matrix");

            double timeBound = options.MaxCostExponent + options.TimeExponentSlack;
            double timeExponent = TimeExponent(mixer, options, options.TimingRepeats);
            if (timeExponent > timeBound)
                timeExponent = Math.Min(timeExponent, TimeExponent(mixer, options, 2 * options.TimingRepeats)); // a busy machine, or real?
            if (timeExponent > timeBound)
                return new CheckResult("subquadratic", false,
                    $"time grows as T^{timeExponent:F2} from T={shortLength} to {longLength} (allowed T^{timeBound:F2}); the layer's work must grow sub-quadratically with sequence length");
            return new CheckResult("subquadratic", true, $"memory grows as T^{memoryExponent:F2}, time as T^{timeExponent:F2} (allowed {options.MaxCostExponent:F2})");
        }
        finally
        {
            mixer.train();
        }
    }

    private static double TimeExponent(nn.Module<Tensor, Tensor> mixer, MixerCheckOptions options, int repeats)
    {
        // One torch thread: the work then runs on this thread and its CPU clock measures exactly it
        // (idle OpenMP workers spin and would bill the process for waiting).
        int threads = get_num_threads();
        set_num_threads(1);
        try
        {
            double shortTime = BestForwardSeconds(mixer, options, options.CostLength, repeats);
            double longTime = BestForwardSeconds(mixer, options, 4 * options.CostLength, repeats);
            return Exponent(shortTime, longTime);
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    private static double Exponent(double shortCost, double longCost) => Math.Log(Math.Max(longCost, 1e-12) / Math.Max(shortCost, 1e-12)) / Math.Log(4);

    /// <summary>Peak resident memory a forward pass adds, in bytes (freed heap returned to the system first).</summary>
    private static long ForwardPeakBytes(nn.Module<Tensor, Tensor> mixer, MixerCheckOptions options, int length)
    {
        using var noGrad = no_grad();
        using var input = randn(1, length, options.Dim);
        GC.Collect();
        PeakMemory.TrimFreeHeap();
        PeakMemory.Reset();
        long before = PeakMemory.ReadCurrent();
        using (NewDisposeScope()) mixer.forward(input);
        return Math.Max(0, PeakMemory.Read() - before);
    }

    /// <summary>
    /// CPU seconds per forward pass (best of several samples, each at least 20 ms of CPU): CPU time
    /// rather than wall time, so other processes competing for the cores do not inflate it.
    /// </summary>
    private static double BestForwardSeconds(nn.Module<Tensor, Tensor> mixer, MixerCheckOptions options, int length, int repeats)
    {
        using var noGrad = no_grad();
        using var input = randn(1, length, options.Dim);
        using (NewDisposeScope()) mixer.forward(input); // warm-up
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            double start = ProcessCpuTime.Seconds(), used;
            int passes = 0;
            do
            {
                using (NewDisposeScope()) mixer.forward(input);
                passes++;
                used = ProcessCpuTime.Seconds() - start;
            }
            while (used < 0.02 && passes < 1000);
            best = Math.Min(best, used / passes);
        }
        return best;
    }

    private static long CountNonFinite(Tensor output) => output.numel() - isfinite(output).sum().item<long>();

    private static CheckResult Guarded(string name, Func<nn.Module<Tensor, Tensor>, MixerCheckOptions, CheckResult> check, nn.Module<Tensor, Tensor> mixer, MixerCheckOptions options)
    {
        try
        {
            return check(mixer, options);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new CheckResult(name, false, $"the mixer threw during the {name} check: {TorchErrors.Describe(e)}");
        }
    }
}
